"""What the Python-driven benchmarks (profiles.sh, roles.sh, tools.sh, keychain.sh) share: the emulator on 127.0.0.1 in a
temporary HOME, whole-process timing with posix_spawn, the emulator's counters, and edits of the
profile file. Standard library only.

    with Harness(alicli, emulator) as h:
        h.sign_in("work")
        elapsed_ms = h.once("sts", "GetCallerIdentity")
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


class Harness:
    def __init__(self, alicli, emulator):
        self.alicli = alicli
        self.home = tempfile.mkdtemp(prefix="alicli-bench.")
        self.config = os.path.join(self.home, ".aliyun", "config.json")
        self.emulator = subprocess.Popen([emulator], stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL)
        self.url = json.loads(self.emulator.stdout.readline())["url"]
        self.direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
            "ALICLI_SIGNIN_URL": self.url, "ALICLI_OAUTH_URL": self.url,
            "ALIBABA_CLOUD_STS_ENDPOINT": self.url, "BROWSER": f"'{emulator}' browse",
        }
        devnull = os.open(os.devnull, os.O_RDWR)
        self.actions = [(os.POSIX_SPAWN_DUP2, devnull, fd) for fd in (0, 1, 2)]

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.emulator.kill()
        self.emulator.wait()
        shutil.rmtree(self.home, ignore_errors=True)

    def stats(self):
        """The emulator's request counters."""
        return json.load(self.direct.open(f"{self.url}/__emulator/stats"))

    def run(self, *args):
        """Runs alicli to completion (set-up, not timed)."""
        subprocess.run([self.alicli, *args], env=self.env, check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sign_in(self, profile):
        self.run("configure", "--profile", profile, "--mode", "OAuth", "--region", "cn-hangzhou",
                 "--callback-port", "0")

    def spawn_all(self, args, count):
        """Starts `count` processes as fast as possible; ms until the last one exits."""
        started = time.perf_counter()
        pids = [os.posix_spawn(self.alicli, [self.alicli, *args], self.env,
                               file_actions=self.actions) for _ in range(count)]
        failed = sum(1 for pid in pids if os.waitpid(pid, 0)[1] != 0)
        elapsed = (time.perf_counter() - started) * 1000
        if failed:
            sys.exit(f"{failed} of {count} runs of alicli {' '.join(args)} failed")
        return elapsed

    def once(self, *args):
        """One whole process, as a script calling alicli pays for it; ms."""
        return self.spawn_all(args, 1)

    def edit(self, patches):
        """Changes fields of profiles: {name: {key: value}}."""
        with open(self.config) as f:
            data = json.load(f)
        for profile in data["profiles"]:
            profile.update(patches.get(profile["name"], {}))
        with open(self.config, "w") as f:
            json.dump(data, f, indent=2)


def wall_and_cpu_ms(argv, env=None):
    """Wall time and CPU time (user + system) of one run of `argv`, in ms; stdout goes to
    /dev/null. Exits the benchmark when the command fails."""
    start = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ if env is None else env,
                         file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter_ns() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(argv)} failed")
    return elapsed / 1e6, (usage.ru_utime + usage.ru_stime) * 1e3


def summary(name, samples, target=None, note=""):
    """Prints median, min and max; returns whether the median meets `target` (ms)."""
    median = statistics.median(samples)
    ok = target is None or median <= target
    verdict = "" if target is None else (f"target <= {target} ms: " + ("ok" if ok else "MISSED"))
    print(f"{name:<11} median {median:7.2f} ms  min {min(samples):7.2f}  max {max(samples):7.2f}"
          f"  ({len(samples)} runs)  {verdict} {note}".rstrip())
    return ok

#!/usr/bin/env python3
"""Small, dependency-free timer for bench/run.sh (standard library only, Python >= 3.9).

Every figure of the benchmark suite goes through this file, so numbers are comparable on any
machine whether or not hyperfine is installed. Each sub-command prints ONE JSON line (a "row") on
stdout; `report` turns a file of rows into the table and the JSON summary.

  timeit.py time --name N --runs 20 [--warmup 2] [--target 5] [--env K=V]... -- CMD ARGS...
      Run CMD `runs` times (after `warmup` untimed runs), whole process, stdin/stdout/stderr
      to /dev/null. Reports median/min/max wall time in ms. Any non-zero exit fails the row.
  timeit.py rss --name N [--target 20] [--env K=V]... -- CMD ARGS...
      Run CMD once and report its peak resident set size in MiB: via /usr/bin/time when present
      (exact), else wait4's ru_maxrss (an upper bound, see cmd_rss).
  timeit.py size --name N [--target 10] FILE
      File size in MB (10^6 bytes).
  timeit.py row --name N --value V --unit U [--target T] [--status S] [--note TEXT]
      Emit a ready-made row (ratios, skipped benchmarks, ...).
  timeit.py report ROWS.jsonl --json-out FILE
      Print the table and write all rows as JSON.

The child environment is this process's environment minus every ALIBABA_CLOUD_*, ALIBABACLOUD_*
and ALICLOUD_* variable (so the caller's own credentials never leak into a benchmark), plus the
--env overrides.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

CLOUD_PREFIXES = ("ALIBABA_CLOUD_", "ALIBABACLOUD_", "ALICLOUD_")


def child_env(overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(CLOUD_PREFIXES)}
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if not sep:
            sys.exit(f"timeit.py: --env expects KEY=VALUE, got {item!r}")
        env[key] = value
    return env


def run_once(cmd, env):
    """Run cmd to completion. Returns (seconds, exit code, ru_maxrss in bytes, 1st stderr line)."""
    # stderr goes to a file, not a pipe: a grandchild that outlives the command (the browser
    # helper during sign-in) can never make the timer hang on an open pipe.
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter_ns()
        proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        # Reap with wait4 to get this child's own rusage (ru_maxrss).
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = (time.perf_counter_ns() - start) / 1e9
        proc.returncode = code = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
        err.seek(0)
        tail = [line for line in err.read().decode("utf-8", "replace").splitlines() if line.strip()]
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    maxrss = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    # The first line names the error (clap's last line is only "For more information, try '--help'").
    return elapsed, code, maxrss, (tail[0] if tail else "")


def status_for(value, target):
    if target is None:
        return "info"
    return "pass" if value <= target else "FAIL"


def emit(row):
    print(json.dumps(row), flush=True)


def failed_row(args, unit, code, tail):
    return {
        "what": args.name,
        "value": None,
        "unit": unit,
        "target": args.target,
        "status": "FAIL",
        "note": (tail if code == "?" else f"exit {code}: {tail}")[:200],
    }


def cmd_time(args):
    env = child_env(args.env)
    for _ in range(args.warmup):
        _, code, _, tail = run_once(args.cmd, env)
        if code != 0:
            return emit(failed_row(args, "ms", code, tail))
    samples = []
    for _ in range(args.runs):
        elapsed, code, _, tail = run_once(args.cmd, env)
        if code != 0:
            return emit(failed_row(args, "ms", code, tail))
        samples.append(elapsed * 1000.0)
    median = statistics.median(samples)
    emit(
        {
            "what": args.name,
            "value": round(median, 3),
            "unit": "ms",
            "target": args.target,
            "status": status_for(median, args.target),
            "runs": len(samples),
            "min": round(min(samples), 3),
            "max": round(max(samples), 3),
            "note": args.note or "",
        }
    )


def time_tool():
    """How to ask /usr/bin/time for a child's peak RSS: "gnu", "bsd" or None."""
    if not os.access("/usr/bin/time", os.X_OK):
        return None
    probe = ["/usr/bin/time", "-f", "%M", "true"]
    if subprocess.run(probe, capture_output=True).returncode == 0:
        return "gnu"
    probe = ["/usr/bin/time", "-l", "true"]
    out = subprocess.run(probe, capture_output=True)
    if out.returncode == 0 and b"maximum resident set size" in out.stderr:
        return "bsd"
    return None


def rss_via_time(tool, cmd, env):
    """Peak RSS in bytes measured by /usr/bin/time, or (None, error)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "rss")
        if tool == "gnu":
            full = ["/usr/bin/time", "-f", "%M", "-o", out, "--"] + cmd
        else:
            full = ["/usr/bin/time", "-l", "-o", out] + cmd
        _, code, _, tail = run_once(full, env)
        if code != 0:
            return None, f"exit {code}: {tail}"
        with open(out, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    if tool == "gnu":
        return int(text.strip().splitlines()[-1]) * 1024, None
    for line in text.splitlines():
        if "maximum resident set size" in line:
            return int(line.split()[0]), None
    return None, "no 'maximum resident set size' in /usr/bin/time -l output"


def cmd_rss(args):
    """Peak RSS of one run of the command.

    Preferred: /usr/bin/time (GNU `-f %M`, or BSD `-l` on macOS). It is a small C program, so the
    child it forks starts small. Fallback: wait4's ru_maxrss straight from this Python process.
    That figure is an upper bound: Linux keeps the high-water mark across exec, so the child
    inherits the RSS of the forked Python interpreter (~10-15 MiB) as a floor.
    """
    env = child_env(args.env)
    tool = time_tool()
    note = args.note or ""
    if tool:
        maxrss, error = rss_via_time(tool, args.cmd, env)
        if error:
            return emit(failed_row(args, "MiB", "?", error))
        note = (note + "; " if note else "") + "via /usr/bin/time"
    else:
        _, code, maxrss, tail = run_once(args.cmd, env)
        if code != 0:
            return emit(failed_row(args, "MiB", code, tail))
        note = (note + "; " if note else "") + (
            "via python wait4: upper bound incl. the forked interpreter's RSS "
            "(install `time` for an exact figure)"
        )
    mib = maxrss / (1024 * 1024)
    emit(
        {
            "what": args.name,
            "value": round(mib, 2),
            "unit": "MiB",
            "target": args.target,
            "status": status_for(mib, args.target),
            "note": note,
        }
    )


def cmd_size(args):
    size = os.path.getsize(args.file)
    mb = size / 1e6
    emit(
        {
            "what": args.name,
            "value": round(mb, 2),
            "unit": "MB",
            "target": args.target,
            "status": status_for(mb, args.target),
            "bytes": size,
            "note": args.note or "",
        }
    )


def cmd_row(args):
    value = args.value
    if value is not None:
        value = float(value)
    status = args.status or (status_for(value, args.target) if value is not None else "skip")
    emit(
        {
            "what": args.name,
            "value": value,
            "unit": args.unit or "",
            "target": args.target,
            "status": status,
            "note": args.note or "",
        }
    )


def fmt(value):
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def cmd_report(args):
    rows = []
    with open(args.rows, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    table = [("what", "median", "target", "result", "note")]
    for row in rows:
        unit = row.get("unit", "")
        value = fmt(row.get("value"))
        if row.get("value") is not None and unit:
            value += " " + unit
        if "min" in row:
            value += f"  ({fmt(row['min'])}-{fmt(row['max'])}, n={row['runs']})"
        target = row.get("target")
        target = "-" if target is None else f"<= {target:g} {unit}".rstrip()
        table.append((row["what"], value, target, row["status"], row.get("note", "")))
    widths = [max(len(str(r[i])) for r in table) for i in range(4)]
    for index, r in enumerate(table):
        cells = [str(r[i]).ljust(widths[i]) for i in range(4)]
        print("  ".join(cells + [str(r[4])]).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))
    summary = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "platform": sys.platform,
        "rows": rows,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.json_out)), exist_ok=True)
    with open(args.json_out, "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2)
        handle.write("\n")
    failed = [r["what"] for r in rows if r["status"] == "FAIL"]
    print(f"\nresults: {args.json_out}")
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="sub", required=True)

    def common(p, with_env=True):
        p.add_argument("--name", required=True)
        p.add_argument("--target", type=float)
        p.add_argument("--note")
        if with_env:
            p.add_argument("--env", action="append", metavar="KEY=VALUE")

    p = sub.add_parser("time")
    common(p)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("cmd", nargs="+")
    p.set_defaults(func=cmd_time)

    p = sub.add_parser("rss")
    common(p)
    p.add_argument("cmd", nargs="+")
    p.set_defaults(func=cmd_rss)

    p = sub.add_parser("size")
    common(p, with_env=False)
    p.add_argument("file")
    p.set_defaults(func=cmd_size)

    p = sub.add_parser("row")
    common(p, with_env=False)
    p.add_argument("--value")
    p.add_argument("--unit")
    p.add_argument("--status")
    p.set_defaults(func=cmd_row)

    p = sub.add_parser("report")
    p.add_argument("rows")
    p.add_argument("--json-out", required=True)
    p.set_defaults(func=cmd_report)

    args = parser.parse_args()
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())

"""A long job: Alibaba's Python SDK calls STS GetCallerIdentity every INTERVAL seconds for DURATION
seconds with one client, as a batch job would, and stops at the first failure.

Credentials come from the SDK's default chain (under `alicli exec --server`: the CredentialsURI
provider, which fetches again whenever what it holds has less than 15 minutes left). Prints
`{"calls": N, "keys": K}` (K: how many different AccessKeyIds were used) or the failure on stderr.
Environment: STS_ENDPOINT (host:port), DURATION and INTERVAL (seconds).
"""
import json
import os
import sys
import time

from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.models import Config

credential = CredentialClient()
client = StsClient(Config(
    credential=credential,
    endpoint=os.environ["STS_ENDPOINT"],
    protocol="http",
    region_id="cn-hangzhou",
))
deadline = time.monotonic() + float(os.environ.get("DURATION", "20"))
interval = float(os.environ.get("INTERVAL", "1"))
calls, keys = 0, set()
while time.monotonic() < deadline:
    try:
        client.get_caller_identity()
    except Exception as error:
        print(f"call {calls + 1} failed: {error}", file=sys.stderr)
        sys.exit(1)
    calls += 1
    keys.add(credential.get_credential().access_key_id)
    time.sleep(interval)
print(f"provider: {credential.get_credential().provider_name}", file=sys.stderr)
print(json.dumps({"calls": calls, "keys": len(keys)}))

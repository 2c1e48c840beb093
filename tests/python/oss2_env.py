"""oss2, Alibaba's OSS SDK for Python, takes its credentials from the environment (its
EnvironmentVariableCredentialsProvider reads OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET and
OSS_SESSION_TOKEN), as it would under `alicli exec`.

It presigns an OSS URL offline (V4 signature, which carries the session token), then proves the
credentials it read are real: Alibaba's STS SDK calls GetCallerIdentity with exactly those.
Prints `{"access_key_id", "signed_url", "arn"}` as JSON, or the failure on stderr.
Environment: STS_ENDPOINT (host:port of the emulator, plain HTTP on loopback).
"""
import json
import os
import sys

import oss2
from oss2.credentials import EnvironmentVariableCredentialsProvider
from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_credentials.models import Config as CredentialConfig
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.models import Config

try:
    provider = EnvironmentVariableCredentialsProvider()
    read = provider.get_credentials()
    bucket = oss2.Bucket(oss2.ProviderAuthV4(provider), "https://oss-cn-hangzhou.aliyuncs.com",
                         "example-bucket", region="cn-hangzhou")
    signed_url = bucket.sign_url("GET", "report.csv", 60)
    credential = CredentialClient(CredentialConfig(
        type="sts",
        access_key_id=read.get_access_key_id(),
        access_key_secret=read.get_access_key_secret(),
        security_token=read.get_security_token(),
    ))
    sts = StsClient(Config(credential=credential, endpoint=os.environ["STS_ENDPOINT"],
                           protocol="http", region_id="cn-hangzhou"))
    arn = sts.get_caller_identity().body.arn
except Exception as error:  # the test shows this text when it fails
    print(f"oss2 failed: {error}", file=sys.stderr)
    sys.exit(1)
print(json.dumps({"access_key_id": read.get_access_key_id(), "signed_url": signed_url, "arn": arn}))

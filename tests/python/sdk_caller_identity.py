"""Alibaba's own Python SDK, reading the profile alicli wrote, calls STS GetCallerIdentity.

Credentials come from the SDK's default chain (its CLI-profile provider reads $HOME/.aliyun/config.json).
Prints the response body as JSON, and on stderr `provider: NAME`, the provider of the default chain
that answered (e.g. `default/env`, `default/cli_profile/external`, `default/credential_uri`).
Environment:
  STS_ENDPOINT   host:port of the emulator (plain HTTP on loopback)
  OAUTH_BASE     optional: the emulator's URL for the SDK's own OAuth renewal. The SDK has no setting
                 for it (the bases are fixed in alibabacloud_credentials/provider/cli_profile.py), so
                 the provider's constructor is wrapped to swap the base; nothing else is changed.
The SDK reads ALIBABA_CLOUD_* variables at import time: set them before Python starts.
"""
import json
import os
import sys

if os.environ.get("OAUTH_BASE"):
    import alibabacloud_credentials.provider.cli_profile as cli_profile
    from alibabacloud_credentials.provider.oauth import OAuthCredentialsProvider

    class EmulatorOAuthProvider(OAuthCredentialsProvider):
        def __init__(self, **kwargs):
            kwargs["sign_in_url"] = os.environ["OAUTH_BASE"]
            super().__init__(**kwargs)

    cli_profile.OAuthCredentialsProvider = EmulatorOAuthProvider

from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.models import Config

credential = CredentialClient()
config = Config(
    credential=credential,
    endpoint=os.environ["STS_ENDPOINT"],
    protocol="http",
    region_id="cn-hangzhou",
)
try:
    response = StsClient(config).get_caller_identity()
except Exception as error:  # the test shows this text when it fails
    print(f"SDK call failed: {error}", file=sys.stderr)
    sys.exit(1)
print(f"provider: {credential.get_credential().provider_name}", file=sys.stderr)
print(json.dumps(response.body.to_map(), indent=2))

"""STS GetCallerIdentity through Alibaba's official Python SDK: the baseline alicli is compared to.

Credentials come from the SDK's default chain, i.e. the CLI profile in $HOME/.aliyun/config.json
(profile from ALIBABA_CLOUD_PROFILE, else the file's `current`). With valid cached STS credentials
in the profile the SDK makes exactly one request, like `alicli sts GetCallerIdentity`.

Env (set it before starting Python: alibabacloud_credentials reads ALIBABA_CLOUD_* at import time):
  ALICLI_BENCH_STS_URL                 the STS endpoint, e.g. http://127.0.0.1:PORT (the emulator);
                                       unset means https://sts.aliyuncs.com
  ALIBABA_CLOUD_PROFILE                the profile
  ALIBABA_CLOUD_ECS_METADATA_DISABLED  =true, so the chain never probes 100.100.100.200

Needs: alibabacloud-credentials, alibabacloud-sts20150401. Prints the response body as JSON.
"""

import json
import os
from urllib.parse import urlsplit

from alibabacloud_credentials.client import Client as CredentialClient
from alibabacloud_sts20150401.client import Client as StsClient
from alibabacloud_tea_openapi.models import Config

url = urlsplit(os.environ.get("ALICLI_BENCH_STS_URL") or "https://sts.aliyuncs.com")
config = Config(
    credential=CredentialClient(),  # no arguments: the default credential chain
    endpoint=url.netloc,  # host[:port]; a set endpoint wins over the regional map
    protocol=url.scheme or "https",
    region_id="cn-hangzhou",
)
response = StsClient(config).get_caller_identity()
print(json.dumps(response.body.to_map(), indent=2))

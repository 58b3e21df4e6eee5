"""Documents in an S3-compatible store by configuration alone (HEARTH_DOCUMENTS_S3_*), against a local S3 server.

The settings are read in a fresh process with the variables set (settings are read once per process); the store
they describe is then used for real against moto's S3 server: a PDF saved, listed under the prefix, read back.
"""

import json
import os
import socket
import subprocess
import sys

import boto3
import pytest
from django.core.files.base import ContentFile
from django.utils.module_loading import import_string
from moto.server import ThreadedMotoServer

BUCKET = "hearth-documents-test"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret"}


@pytest.fixture
def s3_endpoint(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
    )
    yield endpoint
    server.stop()


def _documents_storage_setting(environment: dict[str, str]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEARTH_DOCUMENTS_")}
    env.update(environment)
    script = (
        "import json; from django.conf import settings; import django; django.setup(); "
        "print(json.dumps(settings.STORAGES['documents'], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "hearth.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_without_a_bucket_documents_are_files_under_the_data_folder(tmp_path):
    setting = _documents_storage_setting({"HEARTH_DATA_DIR": str(tmp_path)})
    assert setting["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert setting["OPTIONS"]["location"] == str(tmp_path.resolve() / "documents")


def test_with_a_bucket_documents_are_stored_in_the_s3_compatible_store(s3_endpoint, tmp_path):
    setting = _documents_storage_setting(
        {
            "HEARTH_DATA_DIR": str(tmp_path),
            "HEARTH_DOCUMENTS_S3_BUCKET": BUCKET,
            "HEARTH_DOCUMENTS_S3_ENDPOINT_URL": s3_endpoint,
            "HEARTH_DOCUMENTS_S3_REGION": "eu-west-2",
        }
    )
    assert setting["BACKEND"] == "storages.backends.s3.S3Storage"
    storage = import_string(setting["BACKEND"])(**setting["OPTIONS"])
    pdf = b"%PDF-1.7\n% a document\n%%EOF\n"

    name = storage.save("42/2026/INV-42.pdf", ContentFile(pdf))

    assert name == "42/2026/INV-42.pdf"
    with storage.open(name, "rb") as stored:
        assert stored.read() == pdf
    listed = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2").list_objects_v2(Bucket=BUCKET)
    assert [item["Key"] for item in listed["Contents"]] == ["documents/42/2026/INV-42.pdf"]
    assert storage.save("42/2026/INV-42.pdf", ContentFile(b"%PDF-other")) != name, "never overwrites a document"

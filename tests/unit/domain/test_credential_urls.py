"""Every public credential URL from one base, and only this deployment's status list URLs read."""

from __future__ import annotations

import pytest

from lms_plugin.domain.credential_urls import CredentialUrls

ID = "6b9f0f2e-6f0e-4c2b-9b1e-2a1f5d7c3e41"
URLS = CredentialUrls("https://isp.example.edu/")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (URLS.credential(ID), f"https://isp.example.edu/credentials/{ID}"),
        (URLS.issuer(), "https://isp.example.edu/credentials/issuer"),
        (URLS.achievement_image("isp-level-1"), "https://isp.example.edu/credentials/achievements/isp-level-1/image"),
        (URLS.achievement_image_png("isp-level-1"), "https://isp.example.edu/credentials/achievements/isp-level-1/image.png"),
        (URLS.download(ID, "badge.png"), f"https://isp.example.edu/credentials/{ID}/badge.png"),
        (URLS.verify(), "https://isp.example.edu/credentials/verify"),
        (URLS.ob2_assertion(ID), f"https://isp.example.edu/credentials/{ID}/ob2"),
        (URLS.ob2_badge("isp-level-2"), "https://isp.example.edu/credentials/ob2/badges/isp-level-2"),
        (URLS.ob2_issuer(), "https://isp.example.edu/credentials/ob2/issuer"),
    ],
)  # fmt: skip
def test_urls(url: str, expected: str) -> None:
    assert url == expected


@pytest.mark.parametrize(
    ("url", "list_id"),
    [
        ("https://isp.example.edu/credentials/status/7", 7),
        ("https://isp.example.edu/credentials/status/0", None),
        ("https://isp.example.edu/credentials/status/07", None),
        ("https://isp.example.edu/credentials/status/7/", None),
        ("https://other.example.edu/credentials/status/7", None),
        ("https://isp.example.edu/credentials/status/" + "9" * 11, None),
    ],
)
def test_status_list_id_reads_only_this_deployments_lists(url: str, list_id: int | None) -> None:
    assert URLS.status_list_id(url) == list_id

"""The repository keeps the shape docs/architecture.md describes."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_FOLDERS = {
    "kernel": "tenantry_kernel",
    "platform": "control_plane",
    "tenant-app": "tenant_app",
    "operator": "tenant_operator",
}


def test_no_python_package_shadows_the_standard_library() -> None:
    for folder in PACKAGE_FOLDERS:
        for package in (ROOT / folder).iterdir():
            if (package / "__init__.py").exists():
                assert package.name not in sys.stdlib_module_names, f"{folder}/{package.name} shadows the stdlib"


def test_each_component_folder_holds_its_package() -> None:
    for folder, package in PACKAGE_FOLDERS.items():
        assert (ROOT / folder / package / "__init__.py").is_file(), f"{folder}/{package}"


def test_each_django_project_has_split_settings_and_an_asgi_entry_point() -> None:
    for folder, package in (("platform", "control_plane"), ("tenant-app", "tenant_app")):
        project = ROOT / folder / package
        for module in (
            "settings/base.py",
            "settings/local.py",
            "settings/test.py",
            "settings/production.py",
            "asgi.py",
        ):
            assert (project / module).is_file(), f"{folder}/{package}/{module}"
        assert (ROOT / folder / "manage.py").is_file()


def test_the_repository_stands_alone_with_its_license_and_docs_and_links_nothing_outside() -> None:
    sibling = "../" + "shared"  # spelt in two so this file does not match itself
    assert (ROOT / "LICENSE").read_text().lstrip().startswith("Apache License")
    for doc in ("architecture.md", "configuration.md"):
        assert (ROOT / "docs" / doc).is_file(), doc
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    outside = [
        name
        for name in tracked.splitlines()
        if name.endswith((".md", ".py", ".toml", ".yaml", ".yml", ".sh", ".ini", ".txt"))
        and sibling in (ROOT / name).read_text(errors="replace")
    ]
    assert outside == [], f"these files point outside the repository: {outside}"

"""The repository keeps the shape ARCHITECTURE.md describes."""

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

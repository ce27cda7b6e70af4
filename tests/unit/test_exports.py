"""The public surface: every exported name resolves, and __all__ lists exactly the lazy exports."""

from __future__ import annotations

import subprocess
import sys

import pulumi_alicloud_ai


def test_all_lists_every_lazy_export() -> None:
    """__all__ and the lazy-export table agree, and every name imports."""
    exported = set(pulumi_alicloud_ai.__all__) - {"__version__"}
    assert exported == set(pulumi_alicloud_ai._EXPORTS)
    for name in pulumi_alicloud_ai.__all__:
        assert getattr(pulumi_alicloud_ai, name) is not None


def test_importing_the_package_loads_neither_emulator_nor_resources() -> None:
    """`import pulumi_alicloud_ai` stays cheap: the emulator, uvicorn and the providers load on use."""
    code = (
        "import sys, pulumi_alicloud_ai; "
        "print(any(m.startswith(('pulumi_alicloud_ai.emulator', 'pulumi_alicloud_ai.resources', 'uvicorn')) "
        "for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_programs_do_not_load_the_client_stack() -> None:
    """Importing every resource and component (what a program does) loads no provider implementation,
    no client transport and no httpx: those load in the provider host, on first call."""
    modules = ", ".join(
        f"pulumi_alicloud_ai.resources.{name}"
        for name in (
            "app_service",
            "vod_ai_template",
            "ai_image_job",
            "ai_media_audit_job",
            "ai_task",
            "llm_service",
            "video_ai_images",
            "generated_template",
        )
    )
    code = (
        f"import sys, {modules}; "
        "heavy = ('httpx', 'pulumi_alicloud_ai.client.transport', 'pulumi_alicloud_ai.resources._app_service_provider', "
        "'pulumi_alicloud_ai.resources._ai_task_provider', "
        "'pulumi_alicloud_ai.resources._ai_media_audit_job_provider', 'pulumi_alicloud_ai.emulator'); "
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

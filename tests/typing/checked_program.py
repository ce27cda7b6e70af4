"""A program that type checkers read, never run: each line marked ``# error`` must be reported.

``tests/typing/test_typed_inputs.py`` runs mypy on this file; enum-like inputs accept their enum or
one of its values as a literal, and a typo is a type error before anything runs.
"""

from __future__ import annotations

from pulumi_alicloud_ai import (
    AIImageTemplateConfig,
    AIMediaAuditTemplateConfig,
    AITaskArgs,
    AppServiceArgs,
    LlmServiceArgs,
    OssModelStorage,
    ServiceSpec,
    Timeouts,
    VodAITemplateArgs,
)

MODEL = OssModelStorage(oss_path="oss://models/llama/")

AppServiceArgs(service_name="chat", service_spec=ServiceSpec.LLAMA_7B_FP16)
AppServiceArgs(
    service_name="chat", service_spec="llama_7b_fp16", app_type="LLM", timeouts=Timeouts(create="20m")
)
AppServiceArgs(service_name="chat", service_spec="gpt")  # error
AppServiceArgs(service_name="chat", service_spec="llama_7b_fp16", app_type="CV")  # error
LlmServiceArgs(service_name="chat", model=MODEL, service_spec="chatglm_6b_int8")
LlmServiceArgs(service_name="chat", model=MODEL, service_spec="gpt-4")  # error
VodAITemplateArgs(template_name="t", config={"Count": 2}, template_type="AIImage")
VodAITemplateArgs(template_name="t", config={"Count": 2}, template_type="Thumbs")  # error
AIImageTemplateConfig(count=2, format="gif")
AIImageTemplateConfig(count=2, format="jpg")  # error
AIMediaAuditTemplateConfig(audit_items=["porn"], audit_range=["video"], auto_block=True)
AIMediaAuditTemplateConfig(audit_items=["ads"], audit_range=["video"])  # error
AITaskArgs(task_type="GenerateTemplate", prompt="a VPC", template_type="Terraform")
AITaskArgs(task_type="Explain", prompt="a VPC")  # error
AITaskArgs(task_type="FixTemplate", template="{}", template_type="CloudFormation")  # error

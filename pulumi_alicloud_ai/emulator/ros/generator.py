"""GenerateTemplate: turn a prompt into a ROS template or a Terraform file that really is valid.

Two backends share one small interface, :class:`TemplateGenerator`:

* :class:`RuleBasedGenerator` (the default) maps what the prompt names (VPC, vSwitch, ECS instance,
  OSS bucket, RDS, SLB, security group, EAS service …) to components in ``catalog.py``, adds what they
  depend on, and assembles a deterministic template.
* :class:`OpenAICompatibleGenerator` asks a model behind an OpenAI-compatible ``/v1/chat/completions``
  endpoint (a local llama.cpp or vLLM, or a hosted one). It is slow, so it runs off the event loop
  (``generation_pool.py``), within a deadline (``…_TIMEOUT``, at most 600 s) and a reply-size cap.

Either way the result must pass ``validator.check`` or the task fails: a template the emulator cannot
vouch for is never handed out. Pick the backend with ``ALICLOUD_AI_EMULATOR_ROS_GENERATOR=openai`` plus
``…_BASE_URL`` / ``…_MODEL`` (see :func:`generator_from_env` and docs/ros.md).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from pulumi_alicloud_ai._bounded import BoundsError, load_json
from pulumi_alicloud_ai.emulator.ros import catalog
from pulumi_alicloud_ai.emulator.ros.blueprints import Plan
from pulumi_alicloud_ai.templates.hcl import Block, Expr, Value, render
from pulumi_alicloud_ai.templates.validator import (
    FORMAT_VERSION,
    ROS,
    TERRAFORM,
    TemplateSyntaxError,
    check,
    load_ros,
)

ENV_PREFIX = "ALICLOUD_AI_EMULATOR_ROS_GENERATOR"
MAX_TIMEOUT = 600.0
"""The longest a model may take for one template, in seconds."""
MAX_REPLY_BYTES = 4 * 1024 * 1024
"""A model reply larger than this is not read further (a ROS template body is at most 512 KiB)."""
DEFAULT_CONCURRENCY = 2
MAX_CONCURRENCY = 16


class GenerationError(Exception):
    """The prompt could not be turned into a valid template; the message becomes the StatusReason."""


@dataclass(frozen=True)
class GenerationResult:
    """A generated template: a ROS template object, or Terraform HCL text."""

    template: dict[str, Any] | str
    template_type: str
    summary: str
    """One line for the task's events: what was built."""


class TemplateGenerator(Protocol):
    """A way to write templates from prompts."""

    inline: bool
    """True when ``generate`` is quick and local, so it runs inside the request; False sends it to the
    generation pool, off the event loop."""
    concurrency: int
    """How many off-loop generations may run at once."""

    def generate(self, prompt: str, template_type: str) -> GenerationResult:
        """A valid template of ``template_type`` (``ROS`` or ``Terraform``), or :class:`GenerationError`."""
        ...


def _proven(template: dict[str, Any] | str, template_type: str, origin: str) -> None:
    faults = check(template, template_type)
    if faults:
        listed = "; ".join(f"{fault.location}: {fault.message}" for fault in faults[:5])
        raise GenerationError(
            f"The {origin} produced a {template_type} template that does not validate: {listed}"
        )


class RuleBasedGenerator:
    """Deterministic keyword mapping: the same prompt always gives the same template."""

    inline = True
    concurrency = 1

    def generate(self, prompt: str, template_type: str) -> GenerationResult:
        """Build the components the prompt names; an unmappable prompt is a :class:`GenerationError`."""
        plan = catalog.plan(prompt)
        if not plan.components:
            known = ", ".join(component.label for component in catalog.COMPONENTS)
            raise GenerationError(
                "The prompt does not name any resource the template generator can build. "
                f"Mention at least one of: {known}."
            )
        labels = ", ".join(catalog.BY_KEY[key].label for key in plan.components)
        template = self._ros(prompt, plan) if template_type == ROS else self._terraform(plan)
        _proven(template, template_type, "rule-based generator")
        return GenerationResult(template, template_type, f"Generated {labels}.")

    @staticmethod
    def _ros(prompt: str, plan: Plan) -> dict[str, Any]:
        parameters: dict[str, Any] = {}
        resources: dict[str, Any] = {}
        outputs: dict[str, Any] = {}
        for key in plan.components:
            part = catalog.BY_KEY[key].ros(plan)
            parameters.update(part.parameters)
            resources.update(part.resources)
            outputs.update(part.outputs)
        summary = " ".join(prompt.split())
        description = summary if len(summary) <= 200 else summary[:197] + "..."
        return {
            "ROSTemplateFormatVersion": FORMAT_VERSION,
            "Description": f"Generated from the prompt: {description}",
            "Parameters": parameters,
            "Resources": resources,
            "Outputs": outputs,
        }

    @staticmethod
    def _terraform(plan: Plan) -> str:
        providers: dict[str, Value] = {"alicloud": {"source": "aliyun/alicloud"}}
        blocks = [
            Block("terraform", blocks=[Block("required_providers", attributes=providers)]),
            Block("variable", ("region",), {"type": Expr("string"), "default": "cn-hangzhou"}),
            Block("provider", ("alicloud",), {"region": Expr("var.region")}),
        ]
        for key in plan.components:
            blocks.extend(catalog.BY_KEY[key].terraform(plan))
        # Read top-down like a hand-written file: inputs, provider, lookups, resources, outputs.
        order = {
            kind: rank for rank, kind in enumerate(("terraform", "variable", "provider", "data", "resource"))
        }
        return render(sorted(blocks, key=lambda block: order.get(block.kind, len(order))))


_SYSTEM_PROMPTS = {
    ROS: (
        "You write Alibaba Cloud ROS templates. Answer with one JSON object only, no prose: a template "
        f"with ROSTemplateFormatVersion '{FORMAT_VERSION}', Parameters, Resources (real ALIYUN:: resource "
        "types with their required properties, wired with Ref and Fn::GetAtt) and Outputs."
    ),
    TERRAFORM: (
        'You write Terraform for Alibaba Cloud. Answer with HCL only, no prose: a provider "alicloud" '
        "block, the alicloud_* resources with their required arguments, variables and outputs."
    ),
}


def strip_fences(text: str) -> str:
    """The content of a reply, without a surrounding Markdown code fence (```json … ```)."""
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("```"):
        lines = lines[1:]
        if lines and lines[-1].strip() == "```":
            lines = lines[:-1]
    return "\n".join(lines).strip() + "\n"


class OpenAICompatibleGenerator:
    """A model behind an OpenAI-compatible chat endpoint writes the template; the validator judges it.

    The API key is read from the environment variable named ``api_key_env`` at each call and sent as a
    bearer token; without it no ``Authorization`` header is sent (local servers rarely need one).
    ``timeout`` bounds every wait (connecting, the first byte, each read), and a reply still arriving
    once it has passed is dropped, so a model that trickles its answer cannot hold a thread for ever.
    """

    inline = False

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str = "OPENAI_API_KEY",
        *,
        timeout: float = 120.0,
        concurrency: int = DEFAULT_CONCURRENCY,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.concurrency = concurrency
        self._transport = transport

    @property
    def url(self) -> str:
        """The chat completions URL: ``/chat/completions`` under a base ending in ``/v1``, else ``/v1/…``."""
        base = self.base_url if self.base_url.endswith("/v1") else f"{self.base_url}/v1"
        return f"{base}/chat/completions"

    def generate(self, prompt: str, template_type: str) -> GenerationResult:
        """Ask the model; a failed call or an invalid answer is a :class:`GenerationError`."""
        reply = self._complete(
            [
                {"role": "system", "content": _SYSTEM_PROMPTS[template_type]},
                {"role": "user", "content": prompt},
            ]
        )
        text = strip_fences(reply)
        template: dict[str, Any] | str = text
        if template_type == ROS:
            try:
                parsed = load_ros(text)
            except (TemplateSyntaxError, BoundsError) as exc:
                raise GenerationError(f"The model's answer is not a ROS template: {exc}") from None
            if not isinstance(parsed, dict):
                raise GenerationError("The model's answer is not a ROS template object.")
            template = parsed
        _proven(template, template_type, f"model {self.model!r}")
        return GenerationResult(template, template_type, f"Generated by model {self.model}.")

    def _complete(self, messages: list[dict[str, str]]) -> str:
        headers = {"content-type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["authorization"] = f"Bearer {key}"
        body = {"model": self.model, "messages": messages, "temperature": 0}
        deadline = time.monotonic() + self.timeout
        try:
            with (
                httpx.Client(timeout=self.timeout, transport=self._transport, trust_env=False) as http,
                http.stream("POST", self.url, json=body, headers=headers) as response,
            ):
                if response.status_code >= 400:
                    raise GenerationError(
                        f"The model endpoint {self.url} answered HTTP {response.status_code}."
                    )
                reply = self._read(response, deadline)
        except httpx.TimeoutException:
            raise GenerationError(
                f"The model endpoint {self.url} did not answer within {self.timeout:g} s."
            ) from None
        except httpx.HTTPError as exc:
            raise GenerationError(f"The model endpoint {self.url} could not be reached: {exc}") from None
        try:
            content = load_json(reply, what="The model's reply")["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise GenerationError(f"The model endpoint {self.url} sent no chat completion.") from None
        if not isinstance(content, str) or not content.strip():
            raise GenerationError(f"The model endpoint {self.url} sent an empty answer.")
        return content

    def _read(self, response: httpx.Response, deadline: float) -> bytes:
        """The reply body, read until the deadline and up to :data:`MAX_REPLY_BYTES`."""
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_REPLY_BYTES:
                raise GenerationError(
                    f"The model endpoint {self.url} sent more than {MAX_REPLY_BYTES} bytes; not read further."
                )
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise GenerationError(
                    f"The model endpoint {self.url} did not finish answering within {self.timeout:g} s."
                )
        return b"".join(chunks)


def generator_from_env(environ: Mapping[str, str] | None = None) -> TemplateGenerator:
    """The configured backend: ``…_GENERATOR`` is ``rules`` (default) or ``openai``.

    ``openai`` needs ``…_GENERATOR_BASE_URL`` and ``…_GENERATOR_MODEL``; ``…_GENERATOR_API_KEY_ENV``
    names the variable holding the key (default ``OPENAI_API_KEY``), ``…_GENERATOR_TIMEOUT`` is seconds
    (more than 0, at most 600; default 120) and ``…_GENERATOR_CONCURRENCY`` how many generations run at
    once (1 to 16, default 2). A bad setting raises ValueError naming the variable.
    """
    env = os.environ if environ is None else environ
    kind = env.get(ENV_PREFIX, "rules").strip().lower() or "rules"
    if kind == "rules":
        return RuleBasedGenerator()
    if kind != "openai":
        raise ValueError(f"{ENV_PREFIX}={kind!r} is not a generator; use 'rules' or 'openai'")
    base_url, model = env.get(f"{ENV_PREFIX}_BASE_URL", ""), env.get(f"{ENV_PREFIX}_MODEL", "")
    if not base_url or not model:
        raise ValueError(f"{ENV_PREFIX}=openai needs {ENV_PREFIX}_BASE_URL and {ENV_PREFIX}_MODEL")
    try:
        timeout = float(env.get(f"{ENV_PREFIX}_TIMEOUT", "120"))
    except ValueError:
        timeout = math.nan
    if not 0 < timeout <= MAX_TIMEOUT:  # also refuses NaN
        raise ValueError(
            f"{ENV_PREFIX}_TIMEOUT must be a number of seconds, more than 0 and at most {MAX_TIMEOUT:g}"
        )
    raw_concurrency = env.get(f"{ENV_PREFIX}_CONCURRENCY", str(DEFAULT_CONCURRENCY))
    if not raw_concurrency.strip().isdecimal() or not 1 <= int(raw_concurrency) <= MAX_CONCURRENCY:
        raise ValueError(f"{ENV_PREFIX}_CONCURRENCY must be a whole number from 1 to {MAX_CONCURRENCY}")
    api_key_env = env.get(f"{ENV_PREFIX}_API_KEY_ENV", "OPENAI_API_KEY")
    return OpenAICompatibleGenerator(
        base_url, model, api_key_env, timeout=timeout, concurrency=int(raw_concurrency)
    )

"""What the rule-based generator can build: the words that select each component, and its needs.

A component is one thing a prompt can ask for (a VPC, an ECS instance, an OSS bucket …). It lists the
words that select it and the components it cannot work without (an ECS instance needs a vSwitch and a
security group, a vSwitch needs a VPC); ``blueprints.py`` says what it adds to each kind of template.
Matching is by whole words (any run of letters and digits), so "observer" does not select a server;
negation ("without a database") is not understood.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pulumi_alicloud_ai.emulator.ros import blueprints
from pulumi_alicloud_ai.emulator.ros.blueprints import Plan, RosPart
from pulumi_alicloud_ai.templates.hcl import Block


@dataclass(frozen=True)
class Component:
    """One buildable thing."""

    key: str
    label: str
    keywords: tuple[str, ...]
    requires: tuple[str, ...]
    ros: Callable[[Plan], RosPart]
    terraform: Callable[[Plan], list[Block]]


COMPONENTS: tuple[Component, ...] = (
    Component(
        "vpc",
        "VPC",
        ("vpc", "virtual private cloud", "private network", "network", "专有网络"),
        (),
        blueprints.ros_vpc,
        blueprints.terraform_vpc,
    ),
    Component(
        "vswitch",
        "vSwitch",
        ("vswitch", "v-switch", "switch", "subnet", "交换机"),
        ("vpc",),
        blueprints.ros_vswitch,
        blueprints.terraform_vswitch,
    ),
    Component(
        "security_group",
        "security group",
        ("security group", "securitygroup", "firewall", "安全组"),
        ("vpc",),
        blueprints.ros_security_group,
        blueprints.terraform_security_group,
    ),
    Component(
        "ecs",
        "ECS instance",
        (
            "ecs",
            "server",
            "servers",
            "vm",
            "virtual machine",
            "cloud server",
            "compute instance",
            "web server",
            "云服务器",
        ),
        ("vswitch", "security_group"),
        blueprints.ros_ecs,
        blueprints.terraform_ecs,
    ),
    Component(
        "slb",
        "SLB load balancer",
        ("slb", "clb", "load balancer", "load balancing", "负载均衡"),
        (),
        blueprints.ros_slb,
        blueprints.terraform_slb,
    ),
    Component(
        "rds",
        "RDS database",
        ("rds", "database", "mysql", "postgresql", "postgres", "relational database", "数据库"),
        ("vswitch",),
        blueprints.ros_rds,
        blueprints.terraform_rds,
    ),
    Component(
        "oss",
        "OSS bucket",
        ("oss", "bucket", "object storage", "对象存储"),
        (),
        blueprints.ros_oss,
        blueprints.terraform_oss,
    ),
    Component(
        "eas",
        "PAI-EAS service",
        ("eas", "pai", "model service", "model serving", "inference", "inference service", "llm", "模型服务"),
        (),
        blueprints.ros_eas,
        blueprints.terraform_eas,
    ),
)
BY_KEY = {component.key: component for component in COMPONENTS}


def _words(prompt: str) -> list[str]:
    """Lower-case words of the prompt; any character that is not a letter or digit separates words."""
    cleaned = "".join(ch if ch.isalnum() or ch == "-" else " " for ch in prompt.lower())
    return cleaned.split()


def _mentions(words: list[str], text: str, keyword: str) -> bool:
    if not keyword.isascii():  # CJK keywords have no spaces to split on
        return keyword in text
    wanted = keyword.split()
    return any(words[i : i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))


def plan(prompt: str) -> Plan:
    """The components a prompt asks for, with everything they need, in build order."""
    words, text = _words(prompt), prompt.lower()
    wanted = {c.key for c in COMPONENTS if any(_mentions(words, text, keyword) for keyword in c.keywords)}
    pending = list(wanted)
    while pending:
        for needed in BY_KEY[pending.pop()].requires:
            if needed not in wanted:
                wanted.add(needed)
                pending.append(needed)
    engine = "PostgreSQL" if any(_mentions(words, text, k) for k in ("postgresql", "postgres")) else "MySQL"
    return Plan(tuple(c.key for c in COMPONENTS if c.key in wanted), engine)

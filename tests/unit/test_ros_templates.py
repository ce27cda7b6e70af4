"""The ROS AI-task generator and fixer, called directly: real templates in, real templates out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_alicloud_ai.emulator.ros import catalog
from pulumi_alicloud_ai.emulator.ros.fixer import fix_template
from pulumi_alicloud_ai.emulator.ros.fixes import FixError, closest
from pulumi_alicloud_ai.emulator.ros.generator import (
    GenerationError,
    OpenAICompatibleGenerator,
    RuleBasedGenerator,
    generator_from_env,
    strip_fences,
)
from pulumi_alicloud_ai.templates.validator import ROS, TERRAFORM, TemplateSyntaxError, check, load_ros

REAL_ROS_TYPES = {
    line.strip()
    for line in (Path(__file__).parent.parent / "data" / "ros_resource_types.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
}

PROMPTS = [
    "A VPC",
    "An ECS web server",
    "An OSS bucket for backups",
    "A MySQL database",
    "A PostgreSQL database in its own vSwitch",
    "An internet load balancer",
    "An EAS inference service for my LLM",
    "A web server on ECS behind an SLB, with an RDS database, an OSS bucket and an EAS model service",
    "创建一个专有网络和交换机",
]


def _ros_types(template: dict[str, Any]) -> set[str]:
    return {resource["Type"] for resource in template["Resources"].values()}


def _tf_types(text: str) -> set[str]:
    parsed = hcl2.loads(text)
    return {kind.strip('"') for block in parsed.get("resource", []) for kind in block}


def _generate(prompt: str, template_type: str) -> Any:
    return RuleBasedGenerator().generate(prompt, template_type).template


class TestGenerator:
    @pytest.mark.parametrize("prompt", PROMPTS)
    def test_ros_output_parses_and_uses_only_real_types(self, prompt: str) -> None:
        """Each generated ROS template survives JSON, has the format version and only real ROS types."""
        template = json.loads(json.dumps(_generate(prompt, ROS)))
        assert template["ROSTemplateFormatVersion"] == "2015-09-01"
        assert template["Resources"]
        assert _ros_types(template) <= REAL_ROS_TYPES
        assert check(template, ROS) == []

    @pytest.mark.parametrize("prompt", PROMPTS)
    def test_terraform_output_parses_with_hcl2(self, prompt: str) -> None:
        """Each generated Terraform file parses with python-hcl2 and has an alicloud provider block."""
        text = _generate(prompt, TERRAFORM)
        parsed = hcl2.loads(text)
        assert any('"alicloud"' in block for block in parsed["provider"])
        assert _tf_types(text)
        assert check(text, TERRAFORM) == []

    def test_ecs_brings_its_network(self) -> None:
        """An ECS instance implies a VPC, a vSwitch and a security group, wired by Ref."""
        template = _generate("one ECS instance", ROS)
        assert _ros_types(template) == {
            "ALIYUN::ECS::VPC",
            "ALIYUN::ECS::VSwitch",
            "ALIYUN::ECS::SecurityGroup",
            "ALIYUN::ECS::Instance",
        }
        instance = template["Resources"]["EcsInstance"]["Properties"]
        assert instance["VSwitchId"] == {"Ref": "VSwitch"}
        assert instance["SecurityGroupId"] == {"Ref": "SecurityGroup"}
        assert template["Outputs"]["InstanceId"]["Value"] == {"Fn::GetAtt": ["EcsInstance", "InstanceId"]}

    def test_terraform_ecs_brings_its_network(self) -> None:
        """The Terraform twin of an ECS prompt declares the same four resources, referenced by id."""
        text = _generate("one ECS instance", TERRAFORM)
        assert _tf_types(text) == {
            "alicloud_vpc",
            "alicloud_vswitch",
            "alicloud_security_group",
            "alicloud_instance",
        }
        assert "vswitch_id           = alicloud_vswitch.main.id" in text

    def test_bucket_alone_needs_no_network(self) -> None:
        """A prompt naming only a bucket gets only a bucket."""
        assert _ros_types(_generate("an OSS bucket", ROS)) == {"ALIYUN::OSS::Bucket"}
        assert _tf_types(_generate("an OSS bucket", TERRAFORM)) == {"alicloud_oss_bucket"}

    def test_eas_uses_the_pai_service_type(self) -> None:
        """An EAS service becomes ALIYUN::PAI::Service with a ServiceConfig, and alicloud_pai_service."""
        template = _generate("an EAS service", ROS)
        assert template["Resources"]["EasService"]["Type"] == "ALIYUN::PAI::Service"
        assert template["Resources"]["EasService"]["Properties"]["ServiceConfig"]["metadata"]["instance"] == 1
        assert "jsonencode(" in _generate("an EAS service", TERRAFORM)

    def test_postgres_prompt_picks_the_engine(self) -> None:
        """Naming PostgreSQL selects that engine for the RDS instance."""
        template = _generate("a postgres database", ROS)
        assert template["Resources"]["Database"]["Properties"]["Engine"] == "PostgreSQL"

    def test_words_match_whole_words_only(self) -> None:
        """ "observer" does not select a server, and "switchboard" does not select a vSwitch."""
        assert catalog.plan("an observer at the switchboard").components == ()

    def test_same_prompt_same_template(self) -> None:
        """The rule-based backend is deterministic."""
        prompt = "ECS with a database"
        assert _generate(prompt, TERRAFORM) == _generate(prompt, TERRAFORM)
        assert _generate(prompt, ROS) == _generate(prompt, ROS)

    def test_unmappable_prompt_fails_saying_what_it_can_build(self) -> None:
        """A prompt naming nothing buildable is a GenerationError listing what could be asked for."""
        with pytest.raises(GenerationError, match="does not name any resource") as info:
            RuleBasedGenerator().generate("write me a poem about autumn", ROS)
        assert "ECS instance" in str(info.value)
        assert "OSS bucket" in str(info.value)

    def test_backend_is_chosen_by_environment(self) -> None:
        """rules by default; openai with a base URL and model; a bad setting names the variable."""
        assert isinstance(generator_from_env({}), RuleBasedGenerator)
        chosen = generator_from_env(
            {
                "ALICLOUD_AI_EMULATOR_ROS_GENERATOR": "openai",
                "ALICLOUD_AI_EMULATOR_ROS_GENERATOR_BASE_URL": "http://127.0.0.1:9/v1",
                "ALICLOUD_AI_EMULATOR_ROS_GENERATOR_MODEL": "m",
            }
        )
        assert isinstance(chosen, OpenAICompatibleGenerator)
        assert chosen.url == "http://127.0.0.1:9/v1/chat/completions"
        with pytest.raises(ValueError, match="_BASE_URL"):
            generator_from_env({"ALICLOUD_AI_EMULATOR_ROS_GENERATOR": "openai"})
        with pytest.raises(ValueError, match="'magic' is not a generator"):
            generator_from_env({"ALICLOUD_AI_EMULATOR_ROS_GENERATOR": "magic"})

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("TIMEOUT", "nan"),
            ("TIMEOUT", "inf"),
            ("TIMEOUT", "0"),
            ("TIMEOUT", "-5"),
            ("TIMEOUT", "601"),
            ("TIMEOUT", "soon"),
            ("CONCURRENCY", "0"),
            ("CONCURRENCY", "17"),
            ("CONCURRENCY", "1.5"),
            ("CONCURRENCY", "many"),
        ],
    )
    def test_model_limits_must_be_bounded(self, name: str, value: str) -> None:
        """A model call's time limit (0 to 600 s) and concurrency (1 to 16) are bounded: NaN or
        infinity would remove the limit; a bad value names its variable."""
        env = {
            "ALICLOUD_AI_EMULATOR_ROS_GENERATOR": "openai",
            "ALICLOUD_AI_EMULATOR_ROS_GENERATOR_BASE_URL": "http://127.0.0.1:9/v1",
            "ALICLOUD_AI_EMULATOR_ROS_GENERATOR_MODEL": "m",
            f"ALICLOUD_AI_EMULATOR_ROS_GENERATOR_{name}": value,
        }
        with pytest.raises(ValueError, match=f"ALICLOUD_AI_EMULATOR_ROS_GENERATOR_{name} must be"):
            generator_from_env(env)

    def test_code_fences_are_stripped_from_model_answers(self) -> None:
        """A model answer wrapped in a Markdown fence is unwrapped."""
        assert strip_fences('```json\n{"a": 1}\n```') == '{"a": 1}\n'
        assert strip_fences('{"a": 1}') == '{"a": 1}\n'


class TestRosParsing:
    def test_yaml_short_forms_become_long_forms(self) -> None:
        """!Ref and !GetAtt read as Ref and Fn::GetAtt; an unquoted date-like version stays text."""
        template = load_ros(
            "ROSTemplateFormatVersion: 2015-09-01\nOutputs:\n  A: {Value: !GetAtt Vpc.VpcId}\n  B: {Value: !Ref X}\n"
        )
        assert template["ROSTemplateFormatVersion"] == "2015-09-01"
        assert template["Outputs"]["A"]["Value"] == {"Fn::GetAtt": ["Vpc", "VpcId"]}
        assert template["Outputs"]["B"]["Value"] == {"Ref": "X"}

    def test_syntax_errors_name_the_line(self) -> None:
        """Unparseable JSON and YAML raise TemplateSyntaxError with the 1-based line."""
        with pytest.raises(TemplateSyntaxError) as info:
            load_ros('{\n  "a": 1\n  "b": 2\n}')
        assert info.value.line == 3
        with pytest.raises(TemplateSyntaxError) as info:
            load_ros("a: [1, 2\nb: 3\n")
        assert info.value.line is not None

    def test_checking_a_generated_template_past_the_bounds_is_a_fault(self) -> None:
        """The check GeneratedTemplate runs on a task's result reports a Terraform file or ROS text
        past the parser's bounds as a fault line, not a RecursionError in the program."""
        from pulumi_alicloud_ai.resources.generated_template import template_faults

        deep_hcl = "locals {\n  x = " + "[" * 5000 + "]" * 5000 + "\n}\n"
        assert [(fault.code, fault.location) for fault in check(deep_hcl, TERRAFORM)] == [
            ("TooComplex", "(template)")
        ]
        assert template_faults(deep_hcl, TERRAFORM) == [
            "(template): The template nests deeper than 64 levels"
        ]
        bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 10)}]\n" for n in range(5)
        )
        (line,) = template_faults(bomb, ROS)
        assert "once its aliases are resolved" in line
        (line,) = template_faults('{"Resources": ' + "[" * 5000 + "]" * 5000 + "}", ROS)
        assert "nests deeper than 64 levels" in line


VALID_ROS = {
    "ROSTemplateFormatVersion": "2015-09-01",
    "Parameters": {"ZoneId": {"Type": "String"}},
    "Resources": {
        "Vpc": {"Type": "ALIYUN::ECS::VPC", "Properties": {"CidrBlock": "10.0.0.0/8"}},
        "Vsw": {
            "Type": "ALIYUN::ECS::VSwitch",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "ZoneId": {"Ref": "ZoneId"}, "CidrBlock": "10.1.0.0/24"},
        },
    },
    "Outputs": {"VswId": {"Value": {"Fn::GetAtt": ["Vsw", "VSwitchId"]}}},
}


def _broken(**changes: Any) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(json.dumps(VALID_ROS))
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = template
        for key in parents:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return template


def _fix_ros(template: dict[str, Any] | str) -> Any:
    text = template if isinstance(template, str) else json.dumps(template)
    result = fix_template(text, ROS)
    assert check(result.template, ROS) == []
    return result


class TestRosFixer:
    def test_nothing_to_fix_says_so(self) -> None:
        """A valid template comes back unchanged, with no changes and a message saying so."""
        result = _fix_ros(VALID_ROS)
        assert result.template == VALID_ROS
        assert result.changes == ()
        assert "no faults" in result.message

    @pytest.mark.parametrize(
        ("version", "code"), [(None, "MissingFormatVersion"), ("2020-01-01", "WrongFormatVersion")]
    )
    def test_format_version_is_set(self, version: str | None, code: str) -> None:
        """A missing or wrong ROSTemplateFormatVersion becomes 2015-09-01."""
        result = _fix_ros(_broken(ROSTemplateFormatVersion=version))
        assert result.template["ROSTemplateFormatVersion"] == "2015-09-01"
        assert [change.code for change in result.changes] == [code]

    def test_parameter_without_type_gets_string(self) -> None:
        """A parameter lacking Type is typed String."""
        result = _fix_ros(_broken(Parameters__ZoneId={}))
        assert result.template["Parameters"]["ZoneId"] == {"Type": "String"}

    def test_misspelt_type_is_corrected(self) -> None:
        """ALIYUN::ECS::Vpc (wrong case) becomes the known ALIYUN::ECS::VPC."""
        result = _fix_ros(_broken(Resources__Vpc__Type="ALIYUN::ECS::Vpc"))
        assert result.template["Resources"]["Vpc"]["Type"] == "ALIYUN::ECS::VPC"
        assert result.changes[0].code == "UnknownResourceType"
        assert result.changes[0].location == "Resources.Vpc.Type"

    def test_unknown_type_with_nothing_close_fails_by_name(self) -> None:
        """A type far from every known one cannot be guessed: FixError names it."""
        with pytest.raises(FixError, match="ALIYUN::Made::Up") as info:
            fix_template(json.dumps(_broken(Resources__Vpc__Type="ALIYUN::Made::Up")), ROS)
        assert [fault.code for fault in info.value.faults] == ["UnknownResourceType"]

    def test_missing_required_property_is_wired_to_the_only_provider(self) -> None:
        """A vSwitch without VpcId refers to the template's only VPC."""
        result = _fix_ros(_broken(Resources__Vsw__Properties__VpcId=None))
        assert result.template["Resources"]["Vsw"]["Properties"]["VpcId"] == {"Ref": "Vpc"}

    def test_missing_required_property_becomes_a_parameter(self) -> None:
        """An ECS instance without ImageId gets a new ImageId parameter to fill in."""
        template = _broken()
        template["Resources"]["Web"] = {
            "Type": "ALIYUN::ECS::Instance",
            "Properties": {"InstanceType": "ecs.g7.large"},
        }
        result = _fix_ros(template)
        assert result.template["Resources"]["Web"]["Properties"]["ImageId"] == {"Ref": "ImageId"}
        assert result.template["Parameters"]["ImageId"]["Type"] == "String"

    def test_dangling_ref_to_a_near_name_is_corrected(self) -> None:
        """Ref ZoneID (no such thing) becomes Ref ZoneId."""
        result = _fix_ros(_broken(Resources__Vsw__Properties__ZoneId={"Ref": "ZoneID"}))
        assert result.template["Resources"]["Vsw"]["Properties"]["ZoneId"] == {"Ref": "ZoneId"}
        assert result.changes[0].code == "DanglingRef"

    def test_dangling_ref_to_nothing_close_declares_a_parameter(self) -> None:
        """Ref to a name like no other becomes a declared String parameter."""
        result = _fix_ros(_broken(Resources__Vpc__Properties__VpcName={"Ref": "NetworkName"}))
        assert result.template["Parameters"]["NetworkName"]["Type"] == "String"

    def test_dangling_ref_is_never_pointed_at_its_own_resource(self) -> None:
        """A Ref inside resource Vpc to "VPC" is not "corrected" to Vpc itself (a cycle): a parameter."""
        result = _fix_ros(_broken(Resources__Vpc__Properties__VpcName={"Ref": "VPC"}))
        assert result.template["Resources"]["Vpc"]["Properties"]["VpcName"] == {"Ref": "VPC"}
        assert result.template["Parameters"]["VPC"]["Type"] == "String"

    def test_dangling_getatt_is_corrected(self) -> None:
        """Fn::GetAtt on VSW (no such resource) reads Vsw instead."""
        result = _fix_ros(_broken(Outputs__VswId={"Value": {"Fn::GetAtt": ["VSW", "VSwitchId"]}}))
        assert result.template["Outputs"]["VswId"]["Value"] == {"Fn::GetAtt": ["Vsw", "VSwitchId"]}

    def test_dangling_getatt_to_nothing_close_fails(self) -> None:
        """Fn::GetAtt on a resource that exists nowhere cannot be repaired."""
        with pytest.raises(FixError, match="Database"):
            fix_template(
                json.dumps(_broken(Outputs__VswId={"Value": {"Fn::GetAtt": ["Database", "Id"]}})), ROS
            )

    def test_dangling_depends_on_is_renamed_or_dropped(self) -> None:
        """DependsOn on a near name is corrected; on nothing at all it is removed."""
        result = _fix_ros(_broken(Resources__Vsw__DependsOn=["VPC", "Ghost"]))
        assert result.template["Resources"]["Vsw"]["DependsOn"] == ["Vpc"]
        assert {change.code for change in result.changes} == {"DanglingDependsOn"}

    def test_yaml_input_comes_back_as_an_object(self) -> None:
        """A YAML template with short forms is fixed and returned as a template object."""
        text = "Resources:\n  Vpc: {Type: ALIYUN::ECS::VPC}\nOutputs:\n  Id: {Value: !GetAtt Vpc.VpcId}\n"
        result = _fix_ros(text)
        assert result.template["ROSTemplateFormatVersion"] == "2015-09-01"
        assert result.template["Outputs"]["Id"]["Value"] == {"Fn::GetAtt": ["Vpc", "VpcId"]}

    def test_trailing_commas_are_read_leniently_and_reported(self) -> None:
        """JSON with a trailing comma is read with YAML's flow syntax, and the change says so."""
        text = json.dumps(VALID_ROS, indent=1)[:-1] + ",\n}"
        result = _fix_ros(text)
        assert result.template == VALID_ROS
        assert result.changes[0].code == "SyntaxError"

    def test_unparseable_template_fails_naming_the_line(self) -> None:
        """Text that no reader accepts fails with the line of the JSON error."""
        with pytest.raises(FixError, match="line 3"):
            fix_template('{\n "a": 1\n "b": [\n}', ROS)

    def test_template_without_resources_fails(self) -> None:
        """No resources at all is not something to invent."""
        with pytest.raises(FixError, match="no resources"):
            fix_template(json.dumps({"ROSTemplateFormatVersion": "2015-09-01"}), ROS)


VALID_TF = """\
# network for the app
provider "alicloud" {
  region = var.region
}

variable "region" {
  default = "cn-hangzhou"
}

data "alicloud_zones" "default" {
  available_resource_creation = "VSwitch"
}

resource "alicloud_vpc" "main" {
  cidr_block = "10.0.0.0/8" # whole range
}

resource "alicloud_vswitch" "main" {
  vpc_id     = alicloud_vpc.main.id
  cidr_block = "10.1.0.0/24"
  zone_id    = data.alicloud_zones.default.zones[0].id
}
"""


def _fix_tf(text: str) -> Any:
    result = fix_template(text, TERRAFORM)
    assert isinstance(result.template, str)
    assert check(result.template, TERRAFORM) == []
    hcl2.loads(result.template)
    return result


class TestTerraformFixer:
    def test_nothing_to_fix_returns_the_same_text(self) -> None:
        """A valid file comes back byte for byte, with no changes."""
        result = _fix_tf(VALID_TF)
        assert result.template == VALID_TF
        assert result.changes == ()

    def test_missing_provider_is_added(self) -> None:
        """A file without provider "alicloud" gets one (the region variable exists, so it is reused)."""
        text = VALID_TF.replace('provider "alicloud" {\n  region = var.region\n}\n\n', "")
        result = _fix_tf(text)
        assert 'provider "alicloud"' in result.template
        assert result.template.count('variable "region"') == 1
        assert [change.code for change in result.changes] == ["MissingProvider"]

    def test_misspelt_resource_type_is_renamed_with_its_references(self) -> None:
        """alicloud_vswich becomes alicloud_vswitch, in the block and in every reference."""
        text = VALID_TF.replace('"alicloud_vswitch"', '"alicloud_vswich"') + (
            'output "sw" {\n  value = alicloud_vswich.main.id\n}\n'
        )
        result = _fix_tf(text)
        assert "vswich" not in result.template
        assert "value = alicloud_vswitch.main.id" in result.template
        assert "# whole range" in result.template  # the user's comments survive

    def test_misspelt_data_source_is_renamed(self) -> None:
        """data "alicloud_zone" becomes alicloud_zones, references included."""
        result = _fix_tf(VALID_TF.replace("alicloud_zones", "alicloud_zone"))
        assert "alicloud_zone." not in result.template
        assert result.changes[0].code == "UnknownDataSource"

    def test_unknown_type_with_nothing_close_fails(self) -> None:
        """A resource type far from every known one cannot be guessed."""
        with pytest.raises(FixError, match="alicloud_teleporter"):
            fix_template(VALID_TF + 'resource "alicloud_teleporter" "t" {}\n', TERRAFORM)

    def test_reference_to_a_misnamed_resource_is_retargeted(self) -> None:
        """alicloud_vpc.mian (undeclared) becomes alicloud_vpc.main."""
        result = _fix_tf(
            VALID_TF.replace("vpc_id     = alicloud_vpc.main.id", "vpc_id     = alicloud_vpc.mian.id")
        )
        assert "alicloud_vpc.mian" not in result.template
        assert result.changes[0].code == "UndeclaredResource"

    def test_reference_is_never_pointed_at_its_own_block(self) -> None:
        """A resource reading a misspelt twin of itself is not pointed at itself; the fault remains."""
        text = VALID_TF.replace('cidr_block = "10.0.0.0/8"', "cidr_block = alicloud_vpc.mian.cidr_block")
        with pytest.raises(FixError, match=r"alicloud_vpc\.mian"):
            fix_template(text, TERRAFORM)

    def test_undeclared_variable_is_declared(self) -> None:
        """var.cidr with no variable block gets one."""
        result = _fix_tf(VALID_TF.replace('"10.1.0.0/24"', "var.cidr"))
        assert 'variable "cidr"' in result.template

    def test_undeclared_zones_data_source_is_declared(self) -> None:
        """A reference to data.alicloud_zones.default without its block gets the usual block."""
        text = VALID_TF.replace(
            'data "alicloud_zones" "default" {\n  available_resource_creation = "VSwitch"\n}\n\n', ""
        )
        result = _fix_tf(text)
        assert 'data "alicloud_zones" "default"' in result.template

    def test_missing_required_argument_is_wired_or_made_a_variable(self) -> None:
        """A vSwitch without vpc_id uses the only VPC; an instance without instance_type gets a variable."""
        text = (
            VALID_TF.replace("  vpc_id     = alicloud_vpc.main.id\n", "")
            + 'resource "alicloud_instance" "web" {}\n'
        )
        result = _fix_tf(text)
        assert "vpc_id = alicloud_vpc.main.id" in result.template
        assert "instance_type = var.web_instance_type" in result.template
        assert 'variable "web_instance_type"' in result.template

    def test_syntax_error_fails_naming_line_and_column(self) -> None:
        """Unparseable HCL is not guessed at: the error names where the parser stopped."""
        with pytest.raises(FixError, match=r"line 15, column \d+"):
            fix_template(VALID_TF.replace('cidr_block = "10.0.0.0/8"', "cidr_block = "), TERRAFORM)


@pytest.mark.parametrize(
    ("text", "declared", "hint"),
    [
        ('resource "alicloud_vpc" "v" {\n}\n', ROS, "set TemplateType=Terraform"),
        (json.dumps(VALID_ROS), TERRAFORM, "set TemplateType=ROS"),
    ],
)
def test_a_template_of_the_other_type_is_pointed_out(text: str, declared: str, hint: str) -> None:
    """Terraform sent as ROS (or the reverse) fails with a hint naming the right TemplateType."""
    with pytest.raises(FixError, match=hint):
        fix_template(text, declared)


def test_closest_refuses_ambiguous_guesses() -> None:
    """A name is corrected only when one candidate is clearly closest."""
    assert closest("Vpcc", ["Vpc", "Vsw"]) == "Vpc"
    assert closest("vpc", ["VPC"]) == "VPC"
    assert closest("Database", ["Vpc", "Vsw"]) is None
    assert closest("ab1", ["ab2", "ab3"]) is None


_NAMES = st.sampled_from(["Vpc", "VPC", "Vsw", "Web", "ZoneId", "Zone", "ALIYUN::Regoin", "a.b"])
_TYPES = st.sampled_from(
    [
        "ALIYUN::ECS::VPC",
        "ALIYUN::ECS::Vpc",
        "ALIYUN::ECS::VSwitch",
        "ALIYUN::ECS::Instance",
        "ALIYUN::Made::Up",
        "",
    ]
)
_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=3),
        _NAMES.map(lambda name: {"Ref": name}),
        _NAMES.map(lambda name: {"Fn::GetAtt": [name, "Id"]}),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_NAMES, inner, max_size=3)),
    max_leaves=8,
)
_RESOURCES = st.fixed_dictionaries(
    {"Type": _TYPES},
    optional={
        "Properties": st.dictionaries(st.sampled_from(["VpcId", "ZoneId", "CidrBlock", "ImageId"]), _VALUES),
        "DependsOn": st.one_of(_NAMES, st.lists(_NAMES, max_size=2)),
    },
)
_ROS_TEMPLATES = st.fixed_dictionaries(
    {},
    optional={
        "ROSTemplateFormatVersion": st.sampled_from(["2015-09-01", "2020-01-01"]),
        "Parameters": st.dictionaries(_NAMES, st.sampled_from([{"Type": "String"}, {}]), max_size=2),
        "Resources": st.dictionaries(_NAMES, _RESOURCES, max_size=4),
        "Outputs": st.dictionaries(_NAMES, st.fixed_dictionaries({"Value": _VALUES}), max_size=2),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ROS_TEMPLATES)
def test_ros_fixer_output_always_validates(template: dict[str, Any]) -> None:
    """Whatever the input, the ROS fixer either fails with FixError or returns a template with no faults."""
    try:
        result = fix_template(json.dumps(template), ROS)
    except FixError:
        return
    assert check(result.template, ROS) == []


_TF_TYPES = st.sampled_from(
    ["alicloud_vpc", "alicloud_vswitch", "alicloud_vswich", "alicloud_instance", "alicloud_nope"]
)
_TF_NAMES = st.sampled_from(["main", "mian", "web"])
_TF_EXPRESSIONS = st.one_of(
    st.tuples(_TF_TYPES, _TF_NAMES).map(lambda pair: f"{pair[0]}.{pair[1]}.id"),
    _TF_NAMES.map(lambda name: f"var.{name}"),
    st.just('"10.0.0.0/8"'),
)
_TF_BLOCKS = st.one_of(
    st.tuples(
        _TF_TYPES,
        _TF_NAMES,
        st.lists(
            st.tuples(st.sampled_from(["vpc_id", "cidr_block", "vswitch_id", "tags"]), _TF_EXPRESSIONS),
            max_size=3,
            unique_by=lambda pair: pair[0],
        ),
    ).map(
        lambda block: (
            f'resource "{block[0]}" "{block[1]}" {{\n'
            + "".join(f"  {name} = {expression}\n" for name, expression in block[2])
            + "}\n"
        )
    ),
    _TF_NAMES.map(lambda name: f'variable "{name}" {{}}\n'),
    st.just('provider "alicloud" {}\n'),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TF_BLOCKS, max_size=5))
def test_terraform_fixer_output_always_validates(blocks: list[str]) -> None:
    """Whatever the input, the Terraform fixer either fails with FixError or returns valid HCL."""
    try:
        result = fix_template("\n".join(blocks), TERRAFORM)
    except FixError:
        return
    assert isinstance(result.template, str)
    assert check(result.template, TERRAFORM) == []
    hcl2.loads(result.template)


def test_fix_does_not_depend_on_the_order_resources_are_written_in() -> None:
    """A missing VpcId refers to the template's VPC whether the VPC is written before or after it."""
    vpc = {"Type": "ALIYUN::ECS::Vpc", "Properties": {"CidrBlock": "10.0.0.0/8"}}
    vswitch = {
        "Type": "ALIYUN::ECS::VSwitch",
        "Properties": {"ZoneId": "cn-shanghai-a", "CidrBlock": "10.1.0.0/24"},
    }
    results = [
        fix_template(json.dumps({"Resources": dict(order)}), "ROS").template
        for order in ([("Vpc", vpc), ("VSw", vswitch)], [("VSw", vswitch), ("Vpc", vpc)])
    ]
    assert results[0] == results[1]
    assert results[0]["Resources"]["VSw"]["Properties"]["VpcId"] == {"Ref": "Vpc"}

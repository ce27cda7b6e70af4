"""What each component adds to a ROS template and to a Terraform file (``catalog.py`` picks them).

Types, required properties and attribute names follow the ROS resource reference and the alicloud
Terraform provider; every type used here is in ``resource_types.json``, and the generator checks its
output against it. ROS parts wire resources with ``Ref``/``Fn::GetAtt``; Terraform parts with
references such as ``alicloud_vpc.main.id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pulumi_alicloud_ai.templates.hcl import Block, Expr, value

VPC_CIDR = "192.168.0.0/16"
VSWITCH_CIDR = "192.168.1.0/24"
NAME = "ai-generated"


@dataclass
class RosPart:
    """What one component adds to a ROS template."""

    parameters: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """The components a prompt selected (dependencies included, in build order) and their options."""

    components: tuple[str, ...]
    engine: str = "MySQL"


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def _att(resource: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [resource, attribute]}


def _out(description: str, val: Any) -> dict[str, Any]:
    return {"Description": description, "Value": val}


def _output(name: str, expression: str) -> Block:
    return Block("output", (name,), {"value": Expr(expression)})


# --- ROS parts --------------------------------------------------------------------------------------


def ros_vpc(_: Plan) -> RosPart:
    return RosPart(
        resources={
            "Vpc": {
                "Type": "ALIYUN::ECS::VPC",
                "Properties": {"VpcName": f"{NAME}-vpc", "CidrBlock": VPC_CIDR},
            }
        },
        outputs={"VpcId": _out("The VPC's id.", _att("Vpc", "VpcId"))},
    )


def ros_vswitch(_: Plan) -> RosPart:
    zone = {
        "Type": "String",
        "Description": "The zone of the vSwitch and everything placed in it.",
        "AssociationProperty": "ALIYUN::ECS::Instance:ZoneId",
    }
    props = {
        "VpcId": _ref("Vpc"),
        "ZoneId": _ref("ZoneId"),
        "CidrBlock": VSWITCH_CIDR,
        "VSwitchName": f"{NAME}-vsw",
    }
    return RosPart(
        parameters={"ZoneId": zone},
        resources={"VSwitch": {"Type": "ALIYUN::ECS::VSwitch", "Properties": props}},
        outputs={"VSwitchId": _out("The vSwitch's id.", _att("VSwitch", "VSwitchId"))},
    )


def ros_security_group(_: Plan) -> RosPart:
    props = {"VpcId": _ref("Vpc"), "SecurityGroupName": f"{NAME}-sg"}
    return RosPart(
        resources={"SecurityGroup": {"Type": "ALIYUN::ECS::SecurityGroup", "Properties": props}},
        outputs={
            "SecurityGroupId": _out("The security group's id.", _att("SecurityGroup", "SecurityGroupId"))
        },
    )


def ros_ecs(_: Plan) -> RosPart:
    parameters = {
        "InstanceType": {
            "Type": "String",
            "Default": "ecs.g7.large",
            "AssociationProperty": "ALIYUN::ECS::Instance::InstanceType",
        },
        # The alias the official ROS sample templates use; ROS resolves it to a current image.
        "ImageId": {
            "Type": "String",
            "Default": "centos_7",
            "AssociationProperty": "ALIYUN::ECS::Image::ImageId",
        },
        "InstancePassword": {
            "Type": "String",
            "NoEcho": True,
            "MinLength": 8,
            "MaxLength": 30,
            "Description": "The instance's login password.",
            "AssociationProperty": "ALIYUN::ECS::Instance::Password",
        },
    }
    props = {
        "VpcId": _ref("Vpc"),
        "VSwitchId": _ref("VSwitch"),
        "SecurityGroupId": _ref("SecurityGroup"),
        "ImageId": _ref("ImageId"),
        "InstanceType": _ref("InstanceType"),
        "Password": _ref("InstancePassword"),
        "SystemDiskCategory": "cloud_essd",
        "InstanceName": f"{NAME}-ecs",
    }
    return RosPart(
        parameters=parameters,
        resources={"EcsInstance": {"Type": "ALIYUN::ECS::Instance", "Properties": props}},
        outputs={
            "InstanceId": _out("The ECS instance's id.", _att("EcsInstance", "InstanceId")),
            "PrivateIp": _out("The ECS instance's private IP address.", _att("EcsInstance", "PrivateIp")),
        },
    )


def ros_slb(_: Plan) -> RosPart:
    props = {"LoadBalancerName": f"{NAME}-slb", "AddressType": "internet", "LoadBalancerSpec": "slb.s1.small"}
    return RosPart(
        resources={"LoadBalancer": {"Type": "ALIYUN::SLB::LoadBalancer", "Properties": props}},
        outputs={
            "LoadBalancerId": _out("The load balancer's id.", _att("LoadBalancer", "LoadBalancerId")),
            "LoadBalancerAddress": _out("The load balancer's IP address.", _att("LoadBalancer", "IpAddress")),
        },
    )


ENGINES = {"MySQL": ("8.0", "mysql.n2.medium.1"), "PostgreSQL": ("14.0", "pg.n2.medium.1")}


def ros_rds(plan: Plan) -> RosPart:
    version, instance_class = ENGINES[plan.engine]
    props = {
        "Engine": plan.engine,
        "EngineVersion": version,
        "DBInstanceClass": instance_class,
        "DBInstanceStorage": 20,
        "SecurityIPList": VPC_CIDR,
        "DBInstanceNetType": "Intranet",
        "VpcId": _ref("Vpc"),
        "VSwitchId": _ref("VSwitch"),
        "ZoneId": _ref("ZoneId"),
    }
    return RosPart(
        resources={"Database": {"Type": "ALIYUN::RDS::DBInstance", "Properties": props}},
        outputs={
            "DBInstanceId": _out("The RDS instance's id.", _att("Database", "DBInstanceId")),
            "DBConnectionString": _out(
                "The intranet connection string.", _att("Database", "InnerConnectionString")
            ),
        },
    )


def ros_oss(_: Plan) -> RosPart:
    bucket = {
        "Type": "String",
        "Description": "Globally unique: 3-63 lower-case letters, digits and hyphens.",
        "AllowedPattern": "^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$",
    }
    return RosPart(
        parameters={"BucketName": bucket},
        resources={
            "Bucket": {"Type": "ALIYUN::OSS::Bucket", "Properties": {"BucketName": _ref("BucketName")}}
        },
        outputs={"BucketDomainName": _out("The bucket's public domain name.", _att("Bucket", "DomainName"))},
    )


def _eas_config(name: Any, image: Any) -> dict[str, Any]:
    return {
        "name": name,
        "metadata": {"instance": 1, "cpu": 2, "memory": 4000},
        "containers": [{"image": image, "port": 8000, "script": "python app.py"}],
    }


def ros_eas(_: Plan) -> RosPart:
    parameters = {
        "EasServiceName": {
            "Type": "String",
            "Default": "ai_generated_service",
            "Description": "The EAS service name.",
        },
        "EasImage": {"Type": "String", "Description": "The container image the EAS service runs."},
    }
    config = _eas_config(_ref("EasServiceName"), _ref("EasImage"))
    return RosPart(
        parameters=parameters,
        resources={"EasService": {"Type": "ALIYUN::PAI::Service", "Properties": {"ServiceConfig": config}}},
        outputs={
            "EasInternetEndpoint": _out(
                "The EAS service's public endpoint.", _att("EasService", "InternetEndpoint")
            )
        },
    )


# --- Terraform parts --------------------------------------------------------------------------------


def terraform_vpc(_: Plan) -> list[Block]:
    return [
        Block("resource", ("alicloud_vpc", "main"), {"vpc_name": f"{NAME}-vpc", "cidr_block": VPC_CIDR}),
        _output("vpc_id", "alicloud_vpc.main.id"),
    ]


def terraform_vswitch(_: Plan) -> list[Block]:
    args: dict[str, Any] = {
        "vswitch_name": f"{NAME}-vsw",
        "vpc_id": Expr("alicloud_vpc.main.id"),
        "cidr_block": VSWITCH_CIDR,
        "zone_id": Expr("data.alicloud_zones.default.zones[0].id"),
    }
    return [
        Block("data", ("alicloud_zones", "default"), {"available_resource_creation": "VSwitch"}),
        Block("resource", ("alicloud_vswitch", "main"), args),
        _output("vswitch_id", "alicloud_vswitch.main.id"),
    ]


def terraform_security_group(_: Plan) -> list[Block]:
    args: dict[str, Any] = {"security_group_name": f"{NAME}-sg", "vpc_id": Expr("alicloud_vpc.main.id")}
    return [
        Block("resource", ("alicloud_security_group", "main"), args),
        _output("security_group_id", "alicloud_security_group.main.id"),
    ]


def terraform_ecs(_: Plan) -> list[Block]:
    args: dict[str, Any] = {
        "instance_name": f"{NAME}-ecs",
        "instance_type": Expr("var.instance_type"),
        "image_id": Expr("data.alicloud_images.default.images[0].id"),
        "vswitch_id": Expr("alicloud_vswitch.main.id"),
        "security_groups": [Expr("alicloud_security_group.main.id")],
        "system_disk_category": "cloud_essd",
        "password": Expr("var.instance_password"),
    }
    images: dict[str, Any] = {"owners": "system", "name_regex": "^aliyun_3_x64", "most_recent": True}
    return [
        Block("variable", ("instance_type",), {"type": Expr("string"), "default": "ecs.g7.large"}),
        Block("variable", ("instance_password",), {"type": Expr("string"), "sensitive": True}),
        Block("data", ("alicloud_images", "default"), images),
        Block("resource", ("alicloud_instance", "main"), args),
        _output("instance_id", "alicloud_instance.main.id"),
        _output("private_ip", "alicloud_instance.main.private_ip"),
    ]


def terraform_slb(_: Plan) -> list[Block]:
    args: dict[str, Any] = {
        "load_balancer_name": f"{NAME}-slb",
        "address_type": "internet",
        "load_balancer_spec": "slb.s1.small",
    }
    return [
        Block("resource", ("alicloud_slb_load_balancer", "main"), args),
        _output("load_balancer_address", "alicloud_slb_load_balancer.main.address"),
    ]


def terraform_rds(plan: Plan) -> list[Block]:
    version, instance_class = ENGINES[plan.engine]
    args: dict[str, Any] = {
        "engine": plan.engine,
        "engine_version": version,
        "instance_type": instance_class,
        "instance_storage": 20,
        "vswitch_id": Expr("alicloud_vswitch.main.id"),
        "security_ips": [VPC_CIDR],
        "instance_name": f"{NAME}-rds",
    }
    return [
        Block("resource", ("alicloud_db_instance", "main"), args),
        _output("db_connection_string", "alicloud_db_instance.main.connection_string"),
    ]


def terraform_oss(_: Plan) -> list[Block]:
    return [
        Block(
            "variable",
            ("bucket_name",),
            {"type": Expr("string"), "description": "Globally unique bucket name."},
        ),
        Block("resource", ("alicloud_oss_bucket", "main"), {"bucket": Expr("var.bucket_name")}),
        _output("bucket", "alicloud_oss_bucket.main.bucket"),
    ]


def terraform_eas(_: Plan) -> list[Block]:
    config = _eas_config(Expr("var.eas_service_name"), Expr("var.eas_image"))
    return [
        Block("variable", ("eas_service_name",), {"type": Expr("string"), "default": "ai_generated_service"}),
        Block("variable", ("eas_image",), {"type": Expr("string"), "description": "Container image to run."}),
        Block(
            "resource",
            ("alicloud_pai_service", "main"),
            {"service_config": Expr(f"jsonencode({value(config, 1)})")},
        ),
        _output("eas_service_id", "alicloud_pai_service.main.id"),
    ]

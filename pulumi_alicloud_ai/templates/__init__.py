"""ROS and Terraform templates: parsing (YAML, JSON, HCL) and the checks that find their faults.

Shared by the emulator's ROS AI tasks and the ``GeneratedTemplate`` component, and importing neither.
"""

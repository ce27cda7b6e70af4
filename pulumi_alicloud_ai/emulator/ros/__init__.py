"""The emulated ROS AI-task service: CreateAITask, GetAITask, ListAITasks, ListAITaskEvents (ros.md).

``routes.py`` is the wire, ``models.py`` the task and its rules, ``states.py`` the lifecycle table,
``generator.py`` / ``fixer.py`` the real work. The checks both use (and ``GeneratedTemplate`` too) live
in :mod:`pulumi_alicloud_ai.templates`, outside the emulator.
"""

"""The emulated ROS AI-task service: CreateAITask, GetAITask, ListAITasks, ListAITaskEvents (ros.md).

``routes.py`` is the wire, ``models.py`` the task and its rules, ``states.py`` the lifecycle table,
``generator.py`` / ``fixer.py`` the real work, ``validator.py`` the checks both share.
"""

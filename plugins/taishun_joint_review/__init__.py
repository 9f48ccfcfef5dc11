"""泰顺 云联审: Taishun's online joint review of election candidates (a yixian plugin).

A town submits a batch of preliminary candidates for a village/community election; every member
department (联审成员单位) vets every candidate online, in parallel; each candidate concludes
CLEARED, FLAGGED or DISQUALIFIED when every department has answered. See
``docs/plugins/taishun_joint_review.md``.
"""

KEY = "taishun.joint_review"
#: The role of a department's reviewer, granted at one DEPARTMENT unit.
REVIEWER = f"{KEY}.reviewer"

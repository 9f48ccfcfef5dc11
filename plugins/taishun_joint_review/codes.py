"""The plugin's error codes (``register_error_codes``): what a client can fix."""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "JOINT_REVIEW_NOT_A_DEPARTMENT": "Only a unit of kind DEPARTMENT can be a member department.",
    "JOINT_REVIEW_NOT_A_TOWN": "Only a town or street (a unit of kind TOWN) submits a batch.",
    "JOINT_REVIEW_NO_MEMBERS": "The county has no member department to review the batch.",
    "JOINT_REVIEW_EMPTY_BATCH": "A batch needs at least one candidate.",
    "JOINT_REVIEW_DUPLICATE_CANDIDATE": (
        "The person is already a candidate in an open batch of the same election (or twice in "
        "this batch)."
    ),
    "JOINT_REVIEW_NOT_A_MEMBER": "The department is not a member of the candidate's batch.",
    "JOINT_REVIEW_NOT_YOUR_DEPARTMENT": (
        "You review for another department: a reviewer answers only for the department where "
        "the reviewer role was granted."
    ),
    "JOINT_REVIEW_ONE_DEPARTMENT": (
        "A reviewer acts for exactly one department: you hold the reviewer role at several "
        "departments; an admin must revoke all but one before you record verdicts or read a "
        "queue."
    ),
    "JOINT_REVIEW_CONCLUDED": (
        "The candidate is concluded or withdrawn: verdicts and withdrawals are closed."
    ),
    "JOINT_REVIEW_REASON_REQUIRED": "CONCERN, DISQUALIFY and a withdrawal need a reason.",
    "JOINT_REVIEW_RULE_REQUIRED": "DISQUALIFY needs the rule the candidate breaks.",
}

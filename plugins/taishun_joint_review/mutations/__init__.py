"""The plugin's mutations, one module each; ``MUTATIONS`` goes to ``extend_mutation``."""

from __future__ import annotations

from .members import SetMemberMutation
from .submit import SubmitBatchMutation
from .verdict import RecordVerdictMutation
from .withdraw import WithdrawCandidateMutation

MUTATIONS = [
    SetMemberMutation,
    SubmitBatchMutation,
    RecordVerdictMutation,
    WithdrawCandidateMutation,
]

"""The plugin's mutations, one module each; ``MUTATIONS`` is what ``extend_mutation`` returns."""

from .add_negative_entry import AddNegativeListEntryMutation
from .assign_finding import AssignFourVisitsFindingMutation
from .clear_negative_entry import ClearNegativeListEntryMutation
from .close_finding import CloseFourVisitsFindingMutation
from .confirm_negative_entry import ConfirmNegativeListEntryMutation
from .record_visit import RecordVisitMutation
from .record_visits import RecordVisitsMutation
from .record_vote_round import RecordFourVisitsVoteRoundMutation
from .resolve_finding import ResolveFourVisitsFindingMutation
from .set_households import SetFourVisitsHouseholdsMutation

MUTATIONS = [
    RecordVisitMutation,
    RecordVisitsMutation,
    AssignFourVisitsFindingMutation,
    ResolveFourVisitsFindingMutation,
    CloseFourVisitsFindingMutation,
    SetFourVisitsHouseholdsMutation,
    RecordFourVisitsVoteRoundMutation,
    AddNegativeListEntryMutation,
    ConfirmNegativeListEntryMutation,
    ClearNegativeListEntryMutation,
]

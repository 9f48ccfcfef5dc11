"""The plugin's mutations, one module each; ``MUTATIONS`` is what ``extend_mutation`` returns."""

from .add_negative_entry import AddFourVisitsNegativeListEntryMutation
from .assign_finding import AssignFourVisitsFindingMutation
from .clear_negative_entry import ClearFourVisitsNegativeListEntryMutation
from .close_finding import CloseFourVisitsFindingMutation
from .confirm_negative_entry import ConfirmFourVisitsNegativeListEntryMutation
from .record_visit import RecordFourVisitsVisitMutation
from .record_visits import RecordFourVisitsVisitsMutation
from .record_vote_round import RecordFourVisitsVoteRoundMutation
from .resolve_finding import ResolveFourVisitsFindingMutation
from .set_households import SetFourVisitsHouseholdsMutation

MUTATIONS = [
    RecordFourVisitsVisitMutation,
    RecordFourVisitsVisitsMutation,
    AssignFourVisitsFindingMutation,
    ResolveFourVisitsFindingMutation,
    CloseFourVisitsFindingMutation,
    SetFourVisitsHouseholdsMutation,
    RecordFourVisitsVoteRoundMutation,
    AddFourVisitsNegativeListEntryMutation,
    ConfirmFourVisitsNegativeListEntryMutation,
    ClearFourVisitsNegativeListEntryMutation,
]

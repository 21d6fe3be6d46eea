"""What the views of a milestone's reports and requests share: the milestone, read through the
scoping rules, and the parsers a filing with evidence needs."""

from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from progress import scoping
from progress.models import Milestone


class MilestoneChildView(GenericAPIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _milestone(self, milestone_id: int) -> Milestone:
        return scoping.get_milestone_for_user(
            self.request.user,
            milestone_id,
            Milestone.objects.select_related("assignment__enterprise", "assignment__directive"),
        )

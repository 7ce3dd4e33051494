"""Programme sessions under /api/v1/conferences/<slug>/sessions."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from eventapp.api import paginate
from eventapp.conferences.routes import published_conference
from eventapp.enums import SessionStatus
from eventapp.people.models import Person
from eventapp.program.models import Participation, ProgramSession
from eventapp.program.schemas import ProgramSessionSchema
from eventapp.schemas import PageArgs, page_of

blp = Blueprint("sessions", __name__, url_prefix="/api/v1/conferences/<slug>/sessions", description="Sessions")


@blp.route("")
class Sessions(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ProgramSessionSchema))
    def get(self, args, slug):
        """List a published conference's sessions (drafts left out), by start time."""
        conference = published_conference(slug)
        stmt = (
            select(ProgramSession)
            .where(ProgramSession.conference_id == conference.id)
            .where(ProgramSession.status != SessionStatus.DRAFT.value)
            .order_by(ProgramSession.starts_at, ProgramSession.id)
            .options(
                joinedload(ProgramSession.room),
                joinedload(ProgramSession.track),
                joinedload(ProgramSession.sponsor),
                selectinload(ProgramSession.participants)
                .joinedload(Participation.person)
                .joinedload(Person.organization),
            )
        )
        return paginate(stmt, args)

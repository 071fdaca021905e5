"""The campaign REST endpoints."""

from __future__ import annotations

from fastapi import APIRouter

from bankcrm.campaigns import evaluation, service
from bankcrm.campaigns.schemas import (
    CampaignCreate,
    CampaignRead,
    ComparisonRead,
    ConsentCreate,
    ConsentRead,
    CriteriaInput,
    EvaluationRead,
    GroupRead,
    HoldoutCreate,
    HoldoutRead,
    OutcomeCreate,
    OutcomeRead,
    SegmentCount,
    SegmentCreate,
    SegmentRead,
    VersionBody,
)
from bankcrm.core.exceptions import ValidationFailed
from bankcrm.core.pagination import RowId
from bankcrm.web.deps import (
    CampaignsApprove,
    CampaignsContact,
    CampaignsDesign,
    CampaignsRead,
    DbSession,
)

router = APIRouter(tags=["campaigns"])


@router.post("/campaigns/segments", response_model=SegmentRead, status_code=201)
def save_segment(session: DbSession, user: CampaignsDesign, body: SegmentCreate) -> SegmentRead:
    """Keep a segment query by name, with how many customers it holds today."""
    criteria = service.criteria_of(body.criteria.model_dump())
    row = service.save_segment(
        session, user=user, name=body.name, criteria=criteria, description=body.description
    )
    read = SegmentRead.model_validate(row)
    read.customers = service.segment_size(session, criteria)
    return read


@router.post("/campaigns/segments/count", response_model=SegmentCount)
def count_segment(session: DbSession, user: CampaignsDesign, body: CriteriaInput) -> SegmentCount:
    """How many active customers a segment query holds today, before consent and caps."""
    return SegmentCount(
        customers=service.segment_size(session, service.criteria_of(body.model_dump()))
    )


@router.get("/campaigns/holdouts", response_model=list[HoldoutRead])
def list_holdouts(session: DbSession, user: CampaignsRead) -> list[HoldoutRead]:
    """The bank-wide holdouts, newest first."""
    return [HoldoutRead.model_validate(row) for row in service.holdouts(session)]


@router.post("/campaigns/holdouts", response_model=HoldoutRead, status_code=201)
def draw_holdout(session: DbSession, user: CampaignsDesign, body: HoldoutCreate) -> HoldoutRead:
    """Draw customers at random (stratified by branch) whom no campaign contacts between the
    two dates, so that the sum of all campaigns can be measured against them."""
    row = service.draw_holdout(
        session,
        user=user,
        name=body.name,
        share=body.share,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        seed=service.campaign_seed(body.seed),
    )
    return HoldoutRead.model_validate(row)


@router.get("/campaigns", response_model=list[CampaignRead])
def list_campaigns(session: DbSession, user: CampaignsRead) -> list[CampaignRead]:
    """The campaigns the viewer sees (a branch's own and the bank-wide ones), newest first."""
    return [CampaignRead.model_validate(row) for row in service.campaigns(session, user=user)]


@router.post("/campaigns", response_model=CampaignRead, status_code=201)
def create_campaign(
    session: DbSession, user: CampaignsDesign, body: CampaignCreate
) -> CampaignRead:
    """A draft campaign; it starts once someone other than its designer approves it."""
    if body.segment_id is not None:
        segment = service.saved_segment(session, body.segment_id)
        criteria = service.criteria_of(segment.criteria)
    elif body.criteria is not None:
        criteria = service.criteria_of(body.criteria.model_dump())
    else:
        raise ValidationFailed("give a saved segment or the criteria", field="segment_id")
    row = service.create_campaign(
        session,
        user=user,
        draft=service.CampaignDraft(
            name=body.name,
            objective=body.objective,
            channel=body.channel,
            criteria=criteria,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            segment_id=body.segment_id,
            product_id=body.product_id,
            branch_id=body.branch_id,
            subject=body.subject,
            message=body.message,
            control_share=body.control_share,
            seed=body.seed,
            budget=body.budget,
            cost_per_contact=body.cost_per_contact,
            fixed_cost=body.fixed_cost,
        ),
    )
    return CampaignRead.model_validate(row)


@router.get("/campaigns/{campaign_id}", response_model=CampaignRead)
def get_campaign(session: DbSession, user: CampaignsRead, campaign_id: RowId) -> CampaignRead:
    return CampaignRead.model_validate(service.visible_campaign(session, user, campaign_id))


@router.post("/campaigns/{campaign_id}/approve", response_model=CampaignRead)
def approve_campaign(
    session: DbSession, user: CampaignsApprove, campaign_id: RowId, body: VersionBody
) -> CampaignRead:
    """Approval by someone other than the designer (for a branch's campaign, its manager)."""
    row = service.approve(session, user=user, campaign_id=campaign_id, version=body.version)
    return CampaignRead.model_validate(row)


@router.post("/campaigns/{campaign_id}/launch", response_model=CampaignRead)
def launch_campaign(
    session: DbSession, user: CampaignsDesign, campaign_id: RowId, body: VersionBody
) -> CampaignRead:
    """Freeze the segment into members, draw the control group, raise the contact tasks."""
    service.launch(session, user=user, campaign_id=campaign_id, version=body.version)
    return CampaignRead.model_validate(service.visible_campaign(session, user, campaign_id))


@router.post("/campaigns/{campaign_id}/stop", response_model=CampaignRead)
def stop_campaign(
    session: DbSession, user: CampaignsDesign, campaign_id: RowId, body: VersionBody
) -> CampaignRead:
    """Stop sending and cancel the open contact tasks."""
    row = service.stop(session, user=user, campaign_id=campaign_id, version=body.version)
    return CampaignRead.model_validate(row)


@router.get("/campaigns/{campaign_id}/evaluation", response_model=EvaluationRead)
def evaluate_campaign(
    session: DbSession, user: CampaignsRead, campaign_id: RowId
) -> EvaluationRead:
    """Treatment against control among the members the viewer sees: response and
    conversion, uplift with its 95 % Newcombe interval and p-value, ROI; by branch."""
    result = service.evaluate(session, user=user, campaign_id=campaign_id)
    return EvaluationRead(
        response=_comparison(result.overall),
        conversion=_comparison(result.conversion),
        by_branch={
            str(branch): comparison
            for branch, found in result.by_branch.items()
            if (comparison := _comparison(found)) is not None
        },
        funnel=result.funnel,
        cost=result.cost,
        budget=result.budget,
        refusal=result.refusal,
    )


def _comparison(found: evaluation.Evaluation | None) -> ComparisonRead | None:
    if found is None:
        return None
    return ComparisonRead(
        treatment=_group(found.treatment),
        control=_group(found.control),
        uplift=found.uplift,
        ci_low=found.ci_low,
        ci_high=found.ci_high,
        p_value=found.p_value,
        confidence=found.confidence,
        incremental_responses=found.incremental_responses,
        incremental_revenue=found.incremental_revenue,
        roi=found.roi,
        cost_per_acquisition=found.cost_per_acquisition,
    )


def _group(group: evaluation.Group) -> GroupRead:
    return GroupRead(
        n=group.n, responses=group.responses, rate=group.responses / group.n, revenue=group.revenue
    )


@router.post("/campaigns/{campaign_id}/outcomes", response_model=OutcomeRead)
def record_outcome(
    session: DbSession, user: CampaignsContact, campaign_id: RowId, body: OutcomeCreate
) -> OutcomeRead:
    """What came of one member's contact; working the contact task closes it."""
    member = service.record_outcome(
        session,
        user=user,
        campaign_id=campaign_id,
        customer_id=body.customer_id,
        contacted=body.contacted,
        responded=body.responded,
        converted=body.converted,
        amount=body.amount,
    )
    return OutcomeRead.model_validate(member)


@router.post("/customers/{customer_id}/consents", response_model=ConsentRead, status_code=201)
def record_consent(
    session: DbSession, user: CampaignsContact, customer_id: RowId, body: ConsentCreate
) -> ConsentRead:
    """The customer's yes or no to marketing on a channel, with where and when it was
    given; the newest answer is in force."""
    row = service.record_consent(
        session,
        user=user,
        customer_id=customer_id,
        channel=body.channel,
        granted=body.granted,
        source=body.source,
        given_on=body.given_on,
    )
    return ConsentRead.model_validate(row)


@router.get("/customers/{customer_id}/consents", response_model=list[ConsentRead])
def consents(session: DbSession, user: CampaignsContact, customer_id: RowId) -> list[ConsentRead]:
    """The customer's consent in force on each channel."""
    in_force = service.consents_in_force(session, user=user, customer_id=customer_id)
    return [ConsentRead.model_validate(row) for row in in_force.values()]

"""The statistics dashboard and its XLSX download, for coordinators and viewers within their scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kohtaamo.audit.services import log_action
from kohtaamo.stats import exports, rollups, suppression
from kohtaamo.stats.dashboard import dashboard_build
from kohtaamo.stats.forms import StatsFilterForm
from kohtaamo.stats.queries import scoped_filter


def _chosen(request: HttpRequest):
    form = StatsFilterForm(request.GET or None, user=request.user)
    # 403 for a role without statistics, 404 for a place outside the user's area.
    filt = scoped_filter(request.user, form.stats_filter())
    # The rollups include what was logged a moment ago, timer or no timer.
    rollups.ensure_fresh()
    return form, filt


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, filt = _chosen(request)
    board = dashboard_build(filt=filt, trend=form.trend_choice())
    query = request.GET.urlencode()
    context = {"form": form, "board": board, "query": query, "limit": suppression.threshold()}
    return render(request, "stats/dashboard.html", context)


@login_required
def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    form, filt = _chosen(request)
    board = dashboard_build(filt=filt, trend=form.trend_choice())
    log_action(request.user, "stats.export", format="xlsx", what="dashboard", filters=filt.describe())
    figures = {figure.label: figure.cell for figure in board.figures}
    return exports.xlsx_response(filt, board.sheets, name="dashboard", figures=figures)

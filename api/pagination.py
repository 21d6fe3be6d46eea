from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination

PER_PAGE = 50
MAX_PER_PAGE = 200


class PagePagination(PageNumberPagination):
    """``?page=N&per_page=M`` (50 by default, at most 200), the board's names for the same things."""

    page_size = PER_PAGE
    page_size_query_param = "per_page"
    max_page_size = MAX_PER_PAGE
    page_query_description = _("页码,从 1 开始。")
    page_size_query_description = _("每页条数,默认 50,最多 200。")
    invalid_page_message = _("页码无效:没有这一页。")

"""The one OpenAPI 3 API of Kohtaamo, served at /api/openapi.json; apps add their routers here."""

from ninja import NinjaAPI

from kohtaamo.directory.api import router as sites_router
from kohtaamo.directory.hsds import router as hsds_router
from kohtaamo.encounters.api import router as encounters_router
from kohtaamo.encounters.api import taxonomy_router
from kohtaamo.stats.api import router as stats_router

api = NinjaAPI(
    title="Kohtaamo API",
    version="1",
    description="Open data of community social work sites in Finland, and the staff API.",
    openapi_url="api/openapi.json",
    docs_url=None,  # the interactive docs load assets from a CDN; the JSON document is enough
    urls_namespace="api-1",
)
api.add_router("api/v1/sites", sites_router, tags=["directory"])
api.add_router("hsds", hsds_router, tags=["hsds"])
api.add_router("api/v1/taxonomies", taxonomy_router, tags=["encounters"])
api.add_router("api/v1/encounters", encounters_router, tags=["encounters"])
api.add_router("api/v1/stats", stats_router, tags=["statistics"])

"""Products, releases, cycles, platforms and the support matrix (SPEC 6)."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask.views import MethodView

from app import clock
from app.auth import Role, protected
from app.catalogue import platforms, service, shapes, store
from app.catalogue.schemas import (
    AsOfQuerySchema,
    CycleSchema,
    MatrixEntrySchema,
    PlatformCreateSchema,
    PlatformPatchSchema,
    PlatformSchema,
    PlatformVersionSchema,
    ProductCreateSchema,
    ProductDetailSchema,
    ProductPatchSchema,
    ProductSchema,
    ReleaseCreateSchema,
    ReleasePatchSchema,
    ReleaseSchema,
    VendorEolSchema,
)
from app.openapi import Blueprint

blp = Blueprint(
    "catalogue",
    __name__,
    url_prefix="/api/v1",
    description="Products, releases, cycles, platforms and the support matrix.",
)

SLUG = "<string(maxlength=64):slug>"


def _as_of(args: dict[str, Any]) -> Any:
    return args.get("as_of") or clock.today()


def _created(location: str) -> dict[str, str]:
    return {"Location": location}


@blp.route("/products")
class Products(MethodView):
    @blp.arguments(AsOfQuerySchema, location="query")
    @blp.response(200, ProductSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List products, each with its newest cycle's status."""
        as_of = _as_of(args)
        return [shapes.product_dict(v, as_of, with_cycles=False) for v in store.each_product()]

    @protected(blp, Role.ADMIN)
    @blp.arguments(ProductCreateSchema)
    @blp.response(201, ProductDetailSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a product."""
        slug = service.create_product(data)
        snapshot = store.product(slug)
        location = url_for("catalogue.Product", slug=slug)
        return (
            shapes.product_dict(snapshot, clock.today(), with_cycles=True),
            201,
            _created(location),
        )


@blp.route(f"/products/{SLUG}")
class Product(MethodView):
    @blp.arguments(AsOfQuerySchema, location="query")
    @blp.response(200, ProductDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], slug: str) -> Any:
        """A product, its policy and its cycles."""
        return shapes.product_dict(store.product(slug), _as_of(args), with_cycles=True)

    @protected(blp, Role.ADMIN)
    @blp.arguments(ProductPatchSchema, required=False)
    @blp.response(200, ProductDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict[str, Any], slug: str) -> Any:
        """Change a product's name, description or policy."""
        service.update_product(slug, data)
        return shapes.product_dict(store.product(slug), clock.today(), with_cycles=True)

    @protected(blp, Role.ADMIN)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, slug: str) -> Any:
        """Delete a product and its releases."""
        service.delete_product(slug)
        return Response(status=204)


@blp.route(f"/products/{SLUG}/releases")
class Releases(MethodView):
    @blp.arguments(AsOfQuerySchema, location="query")
    @blp.response(200, ReleaseSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], slug: str) -> Any:
        """Releases, newest first, with their status."""
        snapshot = store.product(slug)
        as_of = _as_of(args)
        return [
            shapes.release_dict(snapshot, r, as_of) for r in snapshot.cycles.releases_newest_first()
        ]

    @protected(blp, Role.ADMIN)
    @blp.arguments(ReleaseCreateSchema)
    @blp.response(201, ReleaseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], slug: str) -> Any:
        """Record a release."""
        version = service.add_release(slug, data)
        snapshot = store.product(slug)
        release = service.get_release(snapshot, version)
        location = url_for("catalogue.ReleaseItem", slug=slug, version=version)
        return shapes.release_dict(snapshot, release, clock.today()), 201, _created(location)


@blp.route(f"/products/{SLUG}/releases/<string(maxlength=200):version>")
class ReleaseItem(MethodView):
    @blp.arguments(AsOfQuerySchema, location="query")
    @blp.response(200, ReleaseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], slug: str, version: str) -> Any:
        """One release."""
        snapshot = store.product(slug)
        return shapes.release_dict(snapshot, service.get_release(snapshot, version), _as_of(args))

    @protected(blp, Role.ADMIN)
    @blp.arguments(ReleasePatchSchema, required=False)
    @blp.response(200, ReleaseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict[str, Any], slug: str, version: str) -> Any:
        """Change a release's date or notes."""
        service.update_release(slug, version, data)
        snapshot = store.product(slug)
        return shapes.release_dict(snapshot, service.get_release(snapshot, version), clock.today())

    @protected(blp, Role.ADMIN)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def delete(self, slug: str, version: str) -> Any:
        """Delete a release."""
        service.delete_release(slug, version)
        return Response(status=204)


@blp.route(f"/products/{SLUG}/cycles")
class Cycles(MethodView):
    @blp.arguments(AsOfQuerySchema, location="query")
    @blp.response(200, CycleSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], slug: str) -> Any:
        """Cycles, newest first, with dates, status, support level, latest and platforms."""
        snapshot = store.product(slug)
        as_of = _as_of(args)
        return [shapes.cycle_dict(snapshot, c.key, as_of) for c in snapshot.cycles.newest_first]


@blp.route(f"/products/{SLUG}/cycles/<string(maxlength=64):cycle>")
class CycleItem(MethodView):
    @blp.arguments(AsOfQuerySchema, location="query")
    @blp.response(200, CycleSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], slug: str, cycle: str) -> Any:
        """One cycle."""
        snapshot = store.product(slug)
        return shapes.cycle_dict(snapshot, service.cycle_key_for(snapshot, cycle), _as_of(args))


@blp.route(f"/products/{SLUG}/cycles/<string(maxlength=64):cycle>/platforms")
class CyclePlatforms(MethodView):
    @protected(blp, Role.ADMIN)
    @blp.arguments(MatrixEntrySchema(many=True))
    @blp.response(200, MatrixEntrySchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def put(self, entries: list[dict[str, str]], slug: str, cycle: str) -> Any:
        """Replace the platforms a cycle supports (a key no release has yet is allowed)."""
        key = service.set_matrix_row(slug, cycle, entries)
        snapshot = store.product(slug)
        return [
            {"platform": e["platform"], "version": e["version"]}
            for e in shapes.matrix_dicts(snapshot, key)
        ]


@blp.route("/platforms")
class Platforms(MethodView):
    @blp.response(200, PlatformSchema(many=True))
    def get(self) -> Any:
        """List platforms and their versions."""
        return platforms.list_platforms()

    @protected(blp, Role.ADMIN)
    @blp.arguments(PlatformCreateSchema)
    @blp.response(201, PlatformSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """Create a platform with its versions."""
        slug = platforms.create_platform(data)
        location = url_for("catalogue.PlatformItem", slug=slug)
        return platforms.get_platform(slug), 201, _created(location)


@blp.route(f"/platforms/{SLUG}")
class PlatformItem(MethodView):
    @blp.response(200, PlatformSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, slug: str) -> Any:
        """One platform."""
        return platforms.get_platform(slug)

    @protected(blp, Role.ADMIN)
    @blp.arguments(PlatformPatchSchema, required=False)
    @blp.response(200, PlatformSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, data: dict[str, Any], slug: str) -> Any:
        """Rename a platform."""
        platforms.update_platform(slug, data)
        return platforms.get_platform(slug)

    @protected(blp, Role.ADMIN)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, slug: str) -> Any:
        """Delete a platform, its versions and their matrix rows."""
        platforms.delete_platform(slug)
        return Response(status=204)


@blp.route(f"/platforms/{SLUG}/versions/<string(maxlength=100):version>")
class PlatformVersionItem(MethodView):
    @protected(blp, Role.ADMIN)
    @blp.arguments(VendorEolSchema)
    @blp.response(200, PlatformVersionSchema)
    @blp.alt_response(201, schema=PlatformVersionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def put(self, data: dict[str, Any], slug: str, version: str) -> Any:
        """Add a platform version, or change its vendor EOL and aliases.

        ``aliases`` (SPEC 17) replace the version's other names; absent, they stay as
        they are. A name that another version of the platform has already is a 409.
        """
        created = platforms.put_platform_version(
            slug, version, data["vendor_eol"], data.get("aliases")
        )
        # 22.4 changes the 22.04 already recorded: answer with the string on record.
        return platforms.recorded_version(slug, version), 201 if created else 200

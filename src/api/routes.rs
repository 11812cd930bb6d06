//! The route table: every operation of the API, once. The router is built from it and
//! the OpenAPI document is written from it, so neither can have an operation the other
//! lacks.

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

use super::openapi::operation::{component, html, json_of, BodySchema, Content, Operation};
use super::params::{FormatQuery, ItemsQuery, NoQuery};
use super::schemas::{
    CaseBody, CaseList, EnterpriseBody, EnterpriseList, FeaturePatch, Gaps, History, MergeResult,
    NearestSchools, Overlaps, ProjectPatch, SplitResult, Targets, Within,
};
use super::{
    analysis, edit, enterprises, imports, items, ogc, openapi, parcels, projects, queryables,
    reallocations, reports, AppState,
};
use crate::auth::Role;
use crate::import::ImportReport;
use crate::workflow::cases::OpenCase;

/// An operation and the handler that answers it.
pub struct Route {
    /// What the document says of it.
    pub op: Operation,
    /// What the router runs.
    pub handler: MethodRouter<AppState>,
}

fn filter(method: &Method) -> MethodFilter {
    match *method {
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::PATCH => MethodFilter::PATCH,
        Method::DELETE => MethodFilter::DELETE,
        Method::OPTIONS => MethodFilter::OPTIONS,
        _ => MethodFilter::GET,
    }
}

/// Pairs an operation with its handler.
fn route<H, T>(op: Operation, handler: H) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let handler = on(filter(&op.method), handler);
    Route { op, handler }
}

const GEOJSON: &str = "application/geo+json";

fn ogc_get(
    path: &'static str,
    id: &'static str,
    summary: &'static str,
    schema: &'static str,
) -> Operation {
    Operation::new(Method::GET, path, id, summary)
        .tag(openapi::OGC_TAG)
        .query::<FormatQuery>()
        .reply(
            200,
            summary,
            &[component("application/json", schema), html()],
        )
}

fn ogc_routes() -> Vec<Route> {
    vec![
        route(
            ogc_get("/", "get_landing_page", "Landing page", "landingPage"),
            ogc::landing,
        ),
        route(
            ogc_get(
                "/conformance",
                "get_conformance",
                "Conformance classes",
                "confClasses",
            ),
            ogc::conformance,
        ),
        route(
            Operation::new(Method::GET, "/api", "get_api", "This API definition")
                .tag(openapi::OGC_TAG)
                .query::<FormatQuery>()
                .reply(
                    200,
                    "The OpenAPI 3.0 document.",
                    &[component(openapi::OPENAPI_MEDIA, "openapi"), html()],
                ),
            openapi::document,
        ),
        route(
            ogc_get(
                "/collections",
                "get_collections",
                "The feature collections",
                "collections",
            ),
            ogc::collections,
        ),
        route(
            ogc_get(
                "/collections/{collectionId}",
                "describe_{collection}",
                "Metadata of the collection",
                "collection",
            ),
            ogc::collection,
        ),
        route(
            Operation::new(
                Method::GET,
                "/collections/{collectionId}/items",
                "get_{collection}_features",
                "Features of the collection",
            )
            .tag(openapi::OGC_TAG)
            .query::<ItemsQuery>()
            .with_queryables()
            .reply(
                200,
                "A page of features.",
                &[component(GEOJSON, "featureCollectionGeoJSON"), html()],
            )
            .reply_header("Content-Crs", "The CRS of the coordinates, as <URI>.")
            .reply(
                414,
                "URI Too Long: the request line passed 65,534 bytes, the most the HTTP server reads (a filter is refused with a 400 from 60,000 bytes).",
                &[],
            )
            .reply(
                431,
                "Request Header Fields Too Large: the request's head passed the HTTP server's buffer (about 400 kB) before it ended, as a URL of a very long percent-encoded filter does.",
                &[],
            ),
            items::items,
        ),
        route(
            Operation::new(
                Method::GET,
                "/collections/{collectionId}/items/{featureId}",
                "get_{collection}_feature",
                "One feature of the collection",
            )
            .tag(openapi::OGC_TAG)
            .path_param(
                "featureId",
                "Feature id (parcel code, zone code, road code …).",
            )
            .query::<items::ItemQuery>()
            .reply(
                200,
                "The feature.",
                &[component(GEOJSON, "featureGeoJSON"), html()],
            )
            .reply_header("Content-Crs", "The CRS of the coordinates, as <URI>.")
            .reply_header("ETag", ETAG_TEXT)
            .reply_header("Last-Modified", LAST_MODIFIED_TEXT)
            .reply_header("Cache-Control", "no-cache: a kept copy is checked again before use.")
            .reply(
                304,
                "Not Modified: If-None-Match names the current ETag of this representation.",
                &[],
            )
            .header(
                "If-None-Match",
                "The ETag of a kept copy; 304 while it is current.",
                false,
            ),
            items::item,
        ),
        route(
            Operation::new(
                Method::GET,
                "/collections/{collectionId}/queryables",
                "get_{collection}_queryables",
                "The properties the collection can be filtered on",
            )
            .tag(openapi::OGC_TAG)
            .query::<FormatQuery>()
            .reply(
                200,
                "A JSON Schema of the queryable properties, with the code lists as enums.",
                &[component("application/schema+json", "queryables"), html()],
            ),
            queryables::queryables,
        ),
        route(
            Operation::new(
                Method::GET,
                "/collections/{collectionId}/schema",
                "get_{collection}_schema",
                "The schema of the collection's features",
            )
            .tag(openapi::OGC_TAG)
            .query::<FormatQuery>()
            .reply(
                200,
                "A JSON Schema of the features (OGC API – Features Part 5): the geometry with the collection's one type, the typed properties and measures.",
                &[component("application/schema+json", "queryables"), html()],
            ),
            queryables::features_schema,
        ),
    ]
}

const ETAG_TEXT: &str = "The strong entity tag of the feature's state (Part 4, optimistic locking): send it back in If-Match.";
const LAST_MODIFIED_TEXT: &str =
    "When the feature was last written (whole seconds): send it back in If-Unmodified-Since.";

/// The headers a conditional write reads.
fn conditional(op: Operation) -> Operation {
    op.header(
        "If-Match",
        "The ETag of the state the write is based on (or *); a different current state is a 412.",
        false,
    )
    .header(
        "If-Unmodified-Since",
        "The Last-Modified of the state the write is based on; a later write is a 412.",
        false,
    )
}

/// The answers of a write of one feature.
fn write_replies(op: Operation) -> Operation {
    op.problem(
        409,
        "The feature cannot change now: a parcel in an open reallocation case (the detail names the case), or an id that is taken.",
    )
    .problem(
        413,
        "The body passes the 8 MiB a single-feature write reads.",
    )
    .problem(415, "The body's Content-Type is not one this write reads.")
    .problem(
        422,
        "The feature breaks a check of the import: geometry, CRS, field, code list or zone (the detail says which).",
    )
}

/// Part 4: create, replace, update and delete one feature, and the OPTIONS that say
/// which of them this token may do.
fn edit_routes() -> Vec<Route> {
    let feature = [component(GEOJSON, "featureGeoJSON")];
    let bodies = || {
        [
            Content {
                media: GEOJSON,
                schema: BodySchema::Component("featureGeoJSON"),
            },
            Content {
                media: "application/json",
                schema: BodySchema::Component("featureGeoJSON"),
            },
        ]
    };
    let content_crs = |op: Operation| {
        op.header(
            "Content-Crs",
            "The CRS of the body's coordinates, as <URI> (CRS84 when absent), in its authority axis order: e.g. <http://www.opengis.net/def/crs/EPSG/0/4551>.",
            false,
        )
    };
    let prefer = |op: Operation| {
        op.header(
            "Prefer",
            "return=minimal for no body (204), return=representation (the default) for the feature as stored.",
            false,
        )
    };
    let with_version = |op: Operation| {
        op.reply_header("ETag", ETAG_TEXT)
            .reply_header("Last-Modified", LAST_MODIFIED_TEXT)
    };
    let items = "/collections/{collectionId}/items";
    let item = "/collections/{collectionId}/items/{featureId}";
    let fid = "Feature id (parcel code, zone code, road code …).";
    let mut post = Operation::new(
        Method::POST,
        items,
        "create_{collection}_feature",
        "Add a feature to the collection",
    )
    .tag(openapi::OGC_TAG)
    .edits_features()
    .query::<NoQuery>();
    for b in bodies() {
        post = post.body(b.media, b.schema);
    }
    let post = with_version(
        content_crs(prefer(post))
            .reply(
                201,
                "The feature as stored (none with Prefer: return=minimal); Location is its URL.",
                &feature,
            )
            .reply_header("Location", "The URL of the new feature."),
    );
    let mut put = Operation::new(
        Method::PUT,
        item,
        "replace_{collection}_feature",
        "Replace a feature's whole state",
    )
    .tag(openapi::OGC_TAG)
    .edits_features()
    .path_param("featureId", fid)
    .query::<NoQuery>();
    for b in bodies() {
        put = put.body(b.media, b.schema);
    }
    let put = with_version(conditional(content_crs(prefer(put))).reply(
        200,
        "The feature as stored.",
        &feature,
    ))
    .reply(204, "Replaced (Prefer: return=minimal).", &[]);
    let patch = Operation::new(
        Method::PATCH,
        item,
        "update_{collection}_feature",
        "Change some of a feature's properties or its geometry (JSON Merge Patch)",
    )
    .tag(openapi::OGC_TAG)
    .edits_features()
    .path_param("featureId", fid)
    .query::<NoQuery>()
    .body(
        edit::ACCEPT_PATCH,
        BodySchema::Type(openapi::operation::schema_of::<FeaturePatch>),
    );
    let patch = with_version(conditional(content_crs(prefer(patch))).reply(
        200,
        "The feature as stored.",
        &feature,
    ))
    .reply(204, "Updated (Prefer: return=minimal).", &[]);
    let delete = conditional(
        Operation::new(
            Method::DELETE,
            item,
            "delete_{collection}_feature",
            "Retire a feature (its history stays)",
        )
        .tag(openapi::OGC_TAG)
        .edits_features()
        .path_param("featureId", fid)
        .query::<NoQuery>(),
    )
    .reply(
        204,
        "Retired: the feature leaves the collection; its history stays readable.",
        &[],
    );
    let stale = |op: Operation| {
        op.problem(
            412,
            "The feature changed since the state If-Match or If-Unmodified-Since names (or is gone); the body names who changed it last, and when.",
        )
        .problem(
            428,
            "The write names no state it is based on (send If-Match or If-Unmodified-Since), and the server requires one.",
        )
    };
    let options =
        |path: &'static str, id: &'static str, header: &'static str, text: &'static str| {
            let mut op = Operation::new(
                Method::OPTIONS,
                path,
                id,
                "The methods this token may use here now",
            )
            .tag(openapi::OGC_TAG)
            .query::<NoQuery>();
            if path == item {
                op = op.path_param("featureId", fid);
            }
            op.reply(
                200,
                "Allow lists the methods allowed for this token now.",
                &[],
            )
            .reply_header("Allow", "The allowed methods.")
            .reply_header(header, text)
        };
    vec![
        route(
            options(
                items,
                "options_{collection}_features",
                "Accept-Post",
                "The media types a POST reads.",
            ),
            edit::options_items,
        ),
        route(
            options(
                item,
                "options_{collection}_feature",
                "Accept-Patch",
                "The media type a PATCH reads.",
            ),
            edit::options_item,
        ),
        limited(route(write_replies(post), edit::create)),
        limited(route(stale(write_replies(put)), edit::replace)),
        limited(route(stale(write_replies(patch)), edit::update)),
        route(
            stale(delete.problem(
                409,
                "A parcel in an open reallocation case changes only through the case.",
            )),
            edit::delete,
        ),
    ]
}

/// A write of one feature reads at most [`edit::MAX_FEATURE_BYTES`].
fn limited(mut r: Route) -> Route {
    r.handler = r.handler.layer(axum::extract::DefaultBodyLimit::max(
        edit::MAX_FEATURE_BYTES,
    ));
    r
}

fn workflow_routes() -> Vec<Route> {
    let case = "caseId";
    vec![
        route(
            Operation::new(
                Method::GET,
                "/reallocations",
                "list_reallocations",
                "Reallocation cases, with the expansion-in-place totals",
            )
            .tag("workflow")
            .query::<reallocations::ListQuery>()
            .json_reply::<CaseList>(200, "The cases."),
            reallocations::list,
        ),
        route(
            Operation::new(
                Method::POST,
                "/reallocations",
                "open_reallocation",
                "Open a case",
            )
            .tag("workflow")
            .needs(Role::Planner)
            .query::<NoQuery>()
            .json_body::<OpenCase>()
            .json_reply::<CaseBody>(201, "The case, with ETag \"1\".")
            .reply_header("Location", "The case's URL.")
            .reply_header("ETag", "The case version.")
            .problem(409, "A parcel is in another open case.")
            .problem(
                422,
                "A rule of the programme is broken (the detail says which).",
            ),
            reallocations::open,
        ),
        route(
            Operation::new(
                Method::GET,
                "/reallocations/{caseId}",
                "get_reallocation",
                "One case with its full event history; ETag is its version",
            )
            .tag("workflow")
            .path_param(case, "Case code, e.g. RC-00012.")
            .query::<NoQuery>()
            .json_reply::<CaseBody>(200, "The case.")
            .reply_header("ETag", "The case version."),
            reallocations::show,
        ),
        route(
            Operation::new(
                Method::POST,
                "/reallocations/{caseId}/transitions",
                "transition_reallocation",
                "Move a case to another stage",
            )
            .tag("workflow")
            .needs(Role::Planner)
            .path_param(case, "Case code.")
            .header("If-Match", "The case version decided on, e.g. \"3\".", true)
            .query::<NoQuery>()
            .json_body::<reallocations::TransitionRequest>()
            .json_reply::<CaseBody>(200, "The case at its new stage.")
            .reply_header("ETag", "The case version.")
            .problem(
                409,
                "The version is stale or the transition is not allowed from this stage.",
            )
            .problem(
                422,
                "A rule of the programme is broken (the detail says which).",
            )
            .problem(428, "If-Match is missing."),
            reallocations::transition,
        ),
        route(
            Operation::new(
                Method::GET,
                "/parcels/{parcelId}/history",
                "parcel_history",
                "Every event of a parcel, with what changed",
            )
            .tag("workflow")
            .path_param("parcelId", "Parcel code.")
            .query::<NoQuery>()
            .json_reply::<History>(200, "The events, oldest first."),
            parcels::parcel_history,
        ),
        route(
            Operation::new(
                Method::POST,
                "/parcels/{parcelId}/split",
                "split_parcel",
                "Split a reserved parcel into lots",
            )
            .tag("workflow")
            .needs(Role::Planner)
            .path_param("parcelId", "Parcel code.")
            .query::<NoQuery>()
            .json_body::<parcels::SplitRequest>()
            .json_reply::<SplitResult>(201, "The lots.")
            .problem(409, "The parcel is not reserved or is in an open case.")
            .problem(
                422,
                "The lots do not tile the parcel (the detail says how).",
            ),
            parcels::split,
        ),
        route(
            Operation::new(
                Method::POST,
                "/parcels/merge",
                "merge_parcels",
                "Merge adjacent reserved parcels",
            )
            .tag("workflow")
            .needs(Role::Planner)
            .query::<NoQuery>()
            .json_body::<parcels::MergeRequest>()
            .json_reply::<MergeResult>(201, "The merged parcel.")
            .problem(404, "A named parcel does not exist.")
            .problem(
                409,
                "A parcel is not reserved, is in an open case, or the code is taken.",
            )
            .problem(422, "The parcels are not adjacent (the detail says which)."),
            parcels::merge,
        ),
    ]
}

fn project_routes() -> Vec<Route> {
    let feature = [component("application/json", "featureGeoJSON")];
    vec![
        route(
            Operation::new(
                Method::POST,
                "/projects",
                "create_project",
                "Add a public project (renovation, greening, lighting …)",
            )
            .tag("projects")
            .needs(Role::Planner)
            .query::<NoQuery>()
            .body("application/json", BodySchema::Component("featureGeoJSON"))
            .reply(201, "The project as stored, with its measures.", &feature)
            .problem(409, "The id is taken.")
            .problem(
                422,
                "The feature breaks a check of the import (the detail says which).",
            ),
            projects::create_project,
        ),
        route(
            Operation::new(
                Method::PATCH,
                "/projects/{projectId}",
                "update_project",
                "Change a project's properties or geometry",
            )
            .tag("projects")
            .needs(Role::Planner)
            .path_param("projectId", "Project id.")
            .query::<NoQuery>()
            .json_body::<ProjectPatch>()
            .reply(200, "The project as stored.", &feature)
            .problem(
                422,
                "The change breaks a check of the import (the detail says which).",
            ),
            projects::update_project,
        ),
        route(
            Operation::new(
                Method::POST,
                "/schools",
                "create_school",
                "Add a school (new, expansion or existing)",
            )
            .tag("projects")
            .needs(Role::Planner)
            .query::<NoQuery>()
            .body("application/json", BodySchema::Component("featureGeoJSON"))
            .reply(201, "The school as stored, with its measures.", &feature)
            .problem(409, "The id is taken.")
            .problem(
                422,
                "The feature breaks a check of the import (the detail says which).",
            ),
            projects::create_school,
        ),
        route(
            Operation::new(
                Method::PATCH,
                "/schools/{projectId}",
                "update_school",
                "Change a school's properties or geometry",
            )
            .tag("projects")
            .needs(Role::Planner)
            .path_param("projectId", "School id.")
            .query::<NoQuery>()
            .json_body::<ProjectPatch>()
            .reply(200, "The school as stored.", &feature)
            .problem(
                422,
                "The change breaks a check of the import (the detail says which).",
            ),
            projects::update_school,
        ),
        route(
            Operation::new(
                Method::GET,
                "/targets",
                "get_targets",
                "The programme's targets with planned, under-way and completed amounts",
            )
            .tag("projects")
            .query::<NoQuery>()
            .json_reply::<Targets>(200, "Each target with its progress."),
            projects::targets,
        ),
    ]
}

fn analysis_routes() -> Vec<Route> {
    vec![
        route(
            Operation::new(
                Method::GET,
                "/analysis/nearest-schools",
                "nearest_schools",
                "The schools nearest a point or feature, by geodesic distance",
            )
            .tag("analysis")
            .query::<analysis::NearestQuery>()
            .json_reply::<NearestSchools>(200, "The schools, nearest first.")
            .problem(404, "The named feature does not exist."),
            analysis::nearest_schools,
        ),
        route(
            Operation::new(
                Method::GET,
                "/analysis/coverage-gaps",
                "coverage_gaps",
                "Residential parcels farther than the service radius from every school of a level",
            )
            .tag("analysis")
            .query::<analysis::CoverageQuery>()
            .json_reply::<Gaps>(200, "The gaps with their area."),
            analysis::coverage_gaps,
        ),
        route(
            Operation::new(
                Method::GET,
                "/analysis/overlaps",
                "overlaps",
                "Reserved parcels and other projects a project's geometry meets",
            )
            .tag("analysis")
            .query::<analysis::OverlapsQuery>()
            .json_reply::<Overlaps>(200, "What the project meets.")
            .problem(404, "The named project does not exist."),
            analysis::overlaps,
        ),
        route(
            Operation::new(
                Method::GET,
                "/analysis/within",
                "within",
                "Features within a geodesic distance of a point or feature",
            )
            .tag("analysis")
            .query::<analysis::WithinQuery>()
            .json_reply::<Within>(200, "The features with their distances.")
            .problem(404, "The named feature does not exist."),
            analysis::within,
        ),
    ]
}

fn enterprise_routes() -> Vec<Route> {
    vec![
        route(
            Operation::new(
                Method::GET,
                "/enterprises",
                "list_enterprises",
                "Firms with figures, land and 亩均效益 grade",
            )
            .tag("enterprises")
            .query::<enterprises::ListQuery>()
            .json_reply::<EnterpriseList>(200, "The firms."),
            enterprises::list,
        ),
        route(
            Operation::new(
                Method::POST,
                "/enterprises",
                "create_enterprise",
                "Add a firm",
            )
            .tag("enterprises")
            .needs(Role::Planner)
            .query::<NoQuery>()
            .json_body::<enterprises::EnterpriseNew>()
            .json_reply::<EnterpriseBody>(201, "The firm with its grade.")
            .problem(409, "A firm of that name exists.")
            .problem(422, "A figure is out of range (the detail says which)."),
            enterprises::create,
        ),
        route(
            Operation::new(
                Method::GET,
                "/enterprises/{enterpriseId}",
                "get_enterprise",
                "One firm with its parcels",
            )
            .tag("enterprises")
            .path_param("enterpriseId", "Enterprise id (a number).")
            .query::<NoQuery>()
            .json_reply::<EnterpriseBody>(200, "The firm."),
            enterprises::show,
        ),
        route(
            Operation::new(
                Method::PATCH,
                "/enterprises/{enterpriseId}",
                "update_enterprise",
                "Correct a firm's figures",
            )
            .tag("enterprises")
            .needs(Role::Planner)
            .path_param("enterpriseId", "Enterprise id (a number).")
            .query::<NoQuery>()
            .json_body::<enterprises::EnterprisePatch>()
            .json_reply::<EnterpriseBody>(200, "The firm, regraded.")
            .problem(409, "The new name is taken.")
            .problem(422, "A figure is out of range (the detail says which)."),
            enterprises::update,
        ),
    ]
}

fn import_and_report_routes() -> Vec<Route> {
    vec![
        route(
            Operation::new(Method::POST, "/imports", "create_import", "Import GeoJSON survey data")
                .describe("A FeatureCollection (as written by ogr2ogr -f GeoJSON) or newline-delimited GeoJSON features. All-or-nothing unless skip_invalid=true. Parcels are regraded in the same transaction.")
                .tag("imports").needs(Role::Gis)
                .query::<imports::ImportQuery>()
                .body(GEOJSON, BodySchema::Component("featureCollectionGeoJSON"))
                .body("application/geo+json-seq", BodySchema::Text)
                .reply(201, "Imported.", &[json_of::<ImportReport>()])
                .problem(413, "The body is larger than the upload limit.")
                .problem(415, "The body is not a GeoJSON media type.")
                .problem(422, "Some features are invalid; nothing was imported."),
            imports::create,
        ),
        route(
            Operation::new(Method::GET, "/reports/land-reserve", "land_reserve_report", "The land-reserve decision report (土地储备决策报告)")
                .tag("reports")
                .query::<reports::ReportQuery>()
                .reply(200, "The report.", &[
                    Content { media: "text/html", schema: BodySchema::Text },
                    Content { media: "text/csv", schema: BodySchema::Text },
                    json_of::<crate::report::LandReserveReport>(),
                ]),
            reports::land_reserve,
        ),
    ]
}

/// Every route.
pub fn table() -> Vec<Route> {
    let mut all = ogc_routes();
    all.extend(edit_routes());
    all.extend(workflow_routes());
    all.extend(project_routes());
    all.extend(analysis_routes());
    all.extend(enterprise_routes());
    all.extend(import_and_report_routes());
    all
}

/// Every operation, for the document.
pub fn operations() -> Vec<Operation> {
    table().into_iter().map(|r| r.op).collect()
}

/// The router of the table.
pub fn router() -> Router<AppState> {
    table().into_iter().fold(Router::new(), |r, route| {
        r.route(route.op.path, route.handler)
    })
}

//! Whole-store copies between backends (`landreuse migrate-store`): every table, ids
//! kept, events included, read in pages and written in one transaction.

use async_trait::async_trait;

use super::rows::tuple;
use super::{Backend, Dialect, Kind, Tx, Val};
use crate::domain::Collection;
use crate::store::{RestoreSession, StoreError, StoreTable};

/// How a column is stored.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Plain,
    Json,
    Geometry,
}

/// The portable columns of a table (SQLite's bounding-box columns are derived).
fn columns(t: StoreTable) -> Vec<(&'static str, Kind, Form)> {
    use Form::{Geometry, Json, Plain};
    use Kind::{Bool, Int, Real, Text};
    let feature = |c: Collection| {
        let mut cols = vec![("id", Int, Plain), ("code", Text, Plain)];
        cols.extend(c.properties().iter().map(|p| {
            let kind = match p.kind {
                crate::domain::PropertyKind::Text => Text,
                crate::domain::PropertyKind::Real => Real,
                crate::domain::PropertyKind::Integer => Int,
            };
            (p.name, kind, Plain)
        }));
        if c == Collection::Parcels {
            cols.push(("enterprise_id", Int, Plain));
        }
        cols.extend([
            ("area_m2", Real, Plain),
            ("perimeter_m", Real, Plain),
            ("length_m", Real, Plain),
            ("attributes", Text, Json),
            ("geometry", Text, Geometry),
            ("import_id", Int, Plain),
            ("updated_at", Text, Plain),
        ]);
        cols
    };
    match t {
        StoreTable::Imports => vec![
            ("id", Int, Plain),
            ("started_at", Text, Plain),
            ("finished_at", Text, Plain),
            ("actor", Text, Plain),
            ("source", Text, Plain),
            ("collection", Text, Plain),
            ("source_crs", Text, Plain),
            ("inserted", Int, Plain),
            ("updated", Int, Plain),
            ("rejected", Int, Plain),
            ("total_area_m2", Real, Plain),
        ],
        StoreTable::Enterprises => vec![
            ("id", Int, Plain),
            ("name", Text, Plain),
            ("name_en", Text, Plain),
            ("industry_chain", Text, Plain),
            ("above_scale", Bool, Plain),
            ("output_value_wan", Real, Plain),
            ("tax_wan", Real, Plain),
            ("employees", Int, Plain),
            ("founded_year", Int, Plain),
            ("attributes", Text, Json),
            ("updated_at", Text, Plain),
            ("zone", Text, Plain),
            ("land_mu", Real, Plain),
            ("tax_per_mu", Real, Plain),
            ("output_per_mu", Real, Plain),
            ("score", Real, Plain),
            ("grade", Text, Plain),
            ("ungraded_reason", Text, Plain),
        ],
        StoreTable::Features(c) => feature(c),
        StoreTable::Events => vec![
            ("id", Int, Plain),
            ("occurred_at", Text, Plain),
            ("actor", Text, Plain),
            ("action", Text, Plain),
            ("collection", Text, Plain),
            ("feature_code", Text, Plain),
            ("import_id", Int, Plain),
            ("reason", Text, Plain),
            ("before", Text, Json),
            ("after", Text, Json),
        ],
        StoreTable::Tokens => vec![
            ("id", Int, Plain),
            ("name", Text, Plain),
            ("role", Text, Plain),
            ("token_hash", Text, Plain),
            ("created_at", Text, Plain),
            ("revoked_at", Text, Plain),
            ("expires_at", Text, Plain),
        ],
    }
}

/// One page of a table in id order, in the portable column order.
pub(super) async fn table_page(
    backend: &dyn Backend,
    t: StoreTable,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Vec<Val>>, StoreError> {
    let d = backend.dialect();
    let cols = columns(t);
    let select: Vec<String> = cols
        .iter()
        .map(|(name, _, form)| match form {
            Form::Plain => name.to_string(),
            Form::Json => format!("{} AS {name}", d.json_out(name)),
            Form::Geometry => format!("{} AS {name}", d.geometry_out()),
        })
        .collect();
    let kinds: Vec<Kind> = cols.iter().map(|(_, k, _)| *k).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE id > ? ORDER BY id LIMIT ?",
        select.join(", "),
        t.name()
    );
    let mut conn = backend.conn().await?;
    conn.fetch(
        &sql,
        vec![Val::Int(Some(after_id)), Val::Int(Some(limit))],
        &kinds,
    )
    .await
}

/// A restore into an empty store on one backend.
pub(super) struct SqlRestore {
    pub(super) tx: Box<dyn Tx>,
    pub(super) dialect: Dialect,
}

impl SqlRestore {
    fn insert_sql(&self, t: StoreTable, rows: usize) -> String {
        let d = self.dialect;
        let cols = columns(t);
        let names: Vec<&str> = cols.iter().map(|(n, _, _)| *n).collect();
        let exprs: Vec<&str> = cols
            .iter()
            .map(|(_, _, form)| match form {
                Form::Plain => "?",
                Form::Json => d.json_in(),
                Form::Geometry => d.geometry_in(),
            })
            .collect();
        format!(
            "INSERT INTO {} ({}) VALUES {}",
            t.name(),
            names.join(", "),
            vec![tuple(&exprs); rows].join(", ")
        )
    }
}

#[async_trait]
impl RestoreSession for SqlRestore {
    async fn write_rows(&mut self, t: StoreTable, rows: Vec<Vec<Val>>) -> Result<(), StoreError> {
        for chunk in rows.chunks(400) {
            let args = chunk.iter().flatten().cloned().collect();
            let sql = self.insert_sql(t, chunk.len());
            self.tx.execute(&sql, args).await?;
        }
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        if self.dialect == Dialect::Postgres {
            // Ids were copied, so the sequences must continue after them.
            for t in StoreTable::ALL {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
                    t.name()
                );
                self.tx.fetch(&sql, vec![], &[Kind::Int]).await?;
            }
        }
        self.tx.commit().await
    }
}

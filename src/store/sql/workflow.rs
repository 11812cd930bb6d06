//! The workflow transaction: reads the current rows and writes the changes a workflow
//! command decides (case stages, parcel statuses, grades, split and merged parcels),
//! each change with its event, all in one write transaction. Writers are serialised
//! (SQLite `BEGIN IMMEDIATE`, a PostgreSQL advisory lock), so what the command read is
//! still true when it commits.

use async_trait::async_trait;
use serde_json::{Map, Value};

use super::rows::{self, table};
use super::{Dialect, Kind, Tx, Val};
use crate::domain::{Collection, FeatureRecord, PropertyKind};
use crate::store::codec;
use crate::store::{
    Enterprise, EnterpriseGrade, EnterpriseRecord, FeatureWrite, LandHolding, StoreError,
    WorkflowTx,
};

/// A workflow transaction over a SQL backend.
pub struct SqlWorkflow {
    pub(super) tx: Box<dyn Tx>,
    pub(super) dialect: Dialect,
    pub(super) actor: String,
    pub(super) now: String,
}

impl SqlWorkflow {
    async fn select(
        &mut self,
        c: Collection,
        condition: &str,
        args: Vec<Val>,
    ) -> Result<Vec<FeatureRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE {condition} ORDER BY id",
            rows::feature_columns(c, self.dialect),
            table(c)
        );
        let rows = self.tx.fetch(&sql, args, &rows::feature_kinds(c)).await?;
        rows.into_iter()
            .map(|r| rows::decode_feature(c, r))
            .collect()
    }

    async fn event(
        &mut self,
        action: &str,
        c: Option<Collection>,
        code: &str,
        reason: Option<&str>,
        before: Option<String>,
        after: Option<String>,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO events (occurred_at, actor, action, collection, feature_code, reason, before, after) \
             VALUES (?, ?, ?, ?, ?, ?, {}, {})",
            self.dialect.json_in(),
            self.dialect.json_in()
        );
        let args = vec![
            Val::text(&self.now),
            Val::text(&self.actor),
            Val::text(action),
            Val::Text(c.map(|c| c.id().to_string())),
            Val::text(code),
            Val::Text(reason.map(str::to_string)),
            Val::Text(before),
            Val::Text(after),
        ];
        self.tx.execute(&sql, args).await?;
        Ok(())
    }
}

/// The stored value of a property for its column.
fn column_value(c: Collection, name: &str, v: &Value) -> Result<Val, StoreError> {
    let p = c.property(name).ok_or_else(|| StoreError::Corrupt {
        what: format!("a write to {c}"),
        detail: format!("{name} is not a column of {c}"),
    })?;
    Ok(match p.kind {
        PropertyKind::Text => Val::Text(match v {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }),
        PropertyKind::Real => Val::Real(v.as_f64()),
        PropertyKind::Integer => Val::Int(v.as_i64()),
    })
}

#[async_trait]
impl WorkflowTx for SqlWorkflow {
    fn now(&self) -> &str {
        &self.now
    }

    async fn features(
        &mut self,
        c: Collection,
        codes: &[String],
    ) -> Result<Vec<FeatureRecord>, StoreError> {
        let mut out = Vec::new();
        for chunk in codes.chunks(500) {
            let condition = format!("code IN {}", rows::tuple(&vec!["?"; chunk.len()]));
            let args = chunk.iter().map(Val::text).collect();
            out.extend(self.select(c, &condition, args).await?);
        }
        Ok(out)
    }

    async fn features_where(
        &mut self,
        c: Collection,
        property: &str,
        values: &[String],
    ) -> Result<Vec<FeatureRecord>, StoreError> {
        let p = c.property(property).ok_or_else(|| StoreError::Corrupt {
            what: format!("a query of {c}"),
            detail: format!("{property} is not a column of {c}"),
        })?;
        let mut out = Vec::new();
        for chunk in values.chunks(500) {
            let condition = format!("{} IN {}", p.name, rows::tuple(&vec!["?"; chunk.len()]));
            let args = chunk.iter().map(Val::text).collect();
            out.extend(self.select(c, &condition, args).await?);
        }
        Ok(out)
    }

    async fn land_holdings(&mut self) -> Result<Vec<LandHolding>, StoreError> {
        let rows = self
            .tx
            .fetch(
                "SELECT code, owner, zone, area_m2, grade FROM parcels \
                 WHERE owner IS NOT NULL OR grade IS NOT NULL ORDER BY id",
                vec![],
                &[Kind::Text, Kind::Text, Kind::Text, Kind::Real, Kind::Text],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let mut it = row.into_iter();
                let mut next = || it.next().unwrap_or(Val::Text(None));
                LandHolding {
                    code: next().into_text().unwrap_or_default(),
                    owner: next().into_text(),
                    zone: next().into_text(),
                    area_m2: next().as_f64().unwrap_or(0.0),
                    grade: next().into_text(),
                }
            })
            .collect())
    }

    async fn next_code(&mut self, c: Collection) -> Result<String, StoreError> {
        let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {}", table(c));
        let rows = self.tx.fetch(&sql, vec![], &[Kind::Int]).await?;
        let n = rows
            .first()
            .and_then(|r| r.first())
            .and_then(Val::as_i64)
            .unwrap_or(1);
        Ok(format!("{}{n:05}", c.code_prefix()))
    }

    async fn write_feature(
        &mut self,
        w: &FeatureWrite,
        action: &str,
        reason: Option<&str>,
    ) -> Result<FeatureRecord, StoreError> {
        let c = w.collection;
        let before = self.features(c, std::slice::from_ref(&w.code)).await?.pop();
        let mut cols: Vec<String> = Vec::new();
        let mut args: Vec<Val> = Vec::new();
        for (k, v) in &w.set {
            cols.push(k.clone());
            args.push(column_value(c, k, v)?);
            if c == Collection::Parcels && k == "owner" {
                // Keep the link to the enterprise with the owner's name.
                cols.push("enterprise_id".into());
                args.push(Val::Text(v.as_str().map(str::to_string)));
            }
        }
        let mut exprs: Vec<String> = cols
            .iter()
            .map(|col| {
                if col == "enterprise_id" {
                    "(SELECT id FROM enterprises WHERE name = ?)".to_string()
                } else {
                    "?".to_string()
                }
            })
            .collect();
        if let Some((geometry, measures)) = &w.geometry {
            for (col, v) in [
                ("area_m2", measures.area_m2),
                ("perimeter_m", measures.perimeter_m),
                ("length_m", measures.length_m),
            ] {
                cols.push(col.into());
                exprs.push("?".into());
                args.push(Val::Real(v));
            }
            cols.push("geometry".into());
            exprs.push(self.dialect.geometry_in().into());
            args.push(Val::text(codec::geometry_to_text(geometry)));
        }
        if let Some(attributes) = &w.attributes {
            cols.push("attributes".into());
            exprs.push(self.dialect.json_in().into());
            args.push(Val::text(Value::Object(attributes.clone()).to_string()));
        }
        cols.push("updated_at".into());
        exprs.push("?".into());
        args.push(Val::text(&self.now));
        if before.is_some() {
            let sets: Vec<String> = cols
                .iter()
                .zip(&exprs)
                .map(|(c, e)| format!("{c} = {e}"))
                .collect();
            let sql = format!("UPDATE {} SET {} WHERE code = ?", table(c), sets.join(", "));
            args.push(Val::text(&w.code));
            self.tx.execute(&sql, args).await?;
        } else {
            if w.geometry.is_none() {
                return Err(StoreError::Conflict(format!(
                    "{c} has no feature {}; a new one needs a geometry",
                    w.code
                )));
            }
            cols.push("code".into());
            exprs.push("?".into());
            args.push(Val::text(&w.code));
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                table(c),
                cols.join(", "),
                exprs.join(", ")
            );
            self.tx.execute(&sql, args).await?;
        }
        let after = self
            .features(c, std::slice::from_ref(&w.code))
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt {
                what: format!("{c} {}", w.code),
                detail: "the written row cannot be read back".into(),
            })?;
        self.event(
            action,
            Some(c),
            &w.code,
            reason,
            before.as_ref().map(codec::state_json),
            Some(codec::state_json(&after)),
        )
        .await?;
        Ok(after)
    }

    async fn write_property(
        &mut self,
        c: Collection,
        property: &str,
        changes: &[(String, Value)],
        action: &str,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let p = c.property(property).ok_or_else(|| StoreError::Corrupt {
            what: format!("a write to {c}"),
            detail: format!("{property} is not a column of {c}"),
        })?;
        // The values before, read alone (not whole features: a regrading of a large
        // zone touches most parcels).
        let kind = match p.kind {
            PropertyKind::Text => Kind::Text,
            PropertyKind::Real => Kind::Real,
            PropertyKind::Integer => Kind::Int,
        };
        let mut before: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
        for chunk in changes.chunks(500) {
            let sql = format!(
                "SELECT code, {} FROM {} WHERE code IN {}",
                p.name,
                table(c),
                rows::tuple(&vec!["?"; chunk.len()])
            );
            let args = chunk.iter().map(|(code, _)| Val::text(code)).collect();
            for row in self.tx.fetch(&sql, args, &[Kind::Text, kind]).await? {
                let mut it = row.into_iter();
                let code = it.next().and_then(Val::into_text).unwrap_or_default();
                let v = match it.next() {
                    Some(Val::Text(Some(t))) => Value::from(t),
                    Some(Val::Real(Some(r))) => Value::from(r),
                    Some(Val::Int(Some(i))) => Value::from(i),
                    _ => Value::Null,
                };
                before.insert(code, v);
            }
        }
        // One UPDATE per distinct value, over chunks of codes.
        let mut by_value: Vec<(&Value, Vec<&String>)> = Vec::new();
        for (code, v) in changes {
            match by_value.iter_mut().find(|(x, _)| *x == v) {
                Some((_, list)) => list.push(code),
                None => by_value.push((v, vec![code])),
            }
        }
        for (v, list) in by_value {
            for chunk in list.chunks(500) {
                let sql = format!(
                    "UPDATE {} SET {} = ?, updated_at = ? WHERE code IN {}",
                    table(c),
                    p.name,
                    rows::tuple(&vec!["?"; chunk.len()])
                );
                let mut args = vec![column_value(c, p.name, v)?, Val::text(&self.now)];
                args.extend(chunk.iter().map(|c| Val::text(c.as_str())));
                self.tx.execute(&sql, args).await?;
            }
        }
        // The events, with the property before and after, in batches.
        let row = format!(
            "(?, ?, ?, ?, ?, ?, {}, {})",
            self.dialect.json_in(),
            self.dialect.json_in()
        );
        for chunk in changes.chunks(200) {
            let mut args = Vec::with_capacity(chunk.len() * 8);
            let mut n = 0;
            for (code, v) in chunk {
                let Some(old) = before.get(code) else {
                    continue;
                };
                let state = |x: &Value| serde_json::json!({"properties": {p.name: x}}).to_string();
                args.extend([
                    Val::text(&self.now),
                    Val::text(&self.actor),
                    Val::text(action),
                    Val::text(c.id()),
                    Val::text(code),
                    Val::Text(reason.map(str::to_string)),
                    Val::text(state(old)),
                    Val::text(state(v)),
                ]);
                n += 1;
            }
            if n == 0 {
                continue;
            }
            let sql = format!(
                "INSERT INTO events (occurred_at, actor, action, collection, feature_code, reason, before, after) VALUES {}",
                vec![row.as_str(); n].join(", ")
            );
            self.tx.execute(&sql, args).await?;
        }
        Ok(())
    }

    async fn delete_feature(
        &mut self,
        c: Collection,
        code: &str,
        action: &str,
        reason: Option<&str>,
        after: Value,
    ) -> Result<(), StoreError> {
        let before = self.features(c, &[code.to_string()]).await?.pop();
        let Some(before) = before else {
            return Err(StoreError::Conflict(format!("{c} has no feature {code}")));
        };
        let sql = format!("DELETE FROM {} WHERE code = ?", table(c));
        self.tx.execute(&sql, vec![Val::text(code)]).await?;
        self.event(
            action,
            Some(c),
            code,
            reason,
            Some(codec::state_json(&before)),
            Some(after.to_string()),
        )
        .await
    }

    async fn write_grades(&mut self, grades: &[EnterpriseGrade]) -> Result<(), StoreError> {
        for g in grades {
            self.tx
                .execute(
                    "UPDATE enterprises SET zone = ?, land_mu = ?, tax_per_mu = ?, output_per_mu = ?, \
                     score = ?, grade = ?, ungraded_reason = ? WHERE id = ?",
                    vec![
                        Val::Text(g.zone.clone()),
                        Val::Real(Some(g.land_mu)),
                        Val::Real(g.tax_per_mu),
                        Val::Real(g.output_per_mu),
                        Val::Real(g.score),
                        Val::Text(g.grade.clone()),
                        Val::Text(g.ungraded_reason.clone()),
                        Val::Int(Some(g.enterprise_id)),
                    ],
                )
                .await?;
        }
        Ok(())
    }

    async fn log(
        &mut self,
        action: &str,
        subject: &str,
        reason: Option<&str>,
        after: Value,
    ) -> Result<(), StoreError> {
        self.event(action, None, subject, reason, None, Some(after.to_string()))
            .await
    }

    async fn enterprises(&mut self) -> Result<Vec<EnterpriseRecord>, StoreError> {
        let rows = self
            .tx
            .fetch(
                &enterprise_select(self.dialect, ""),
                vec![],
                &ENTERPRISE_KINDS,
            )
            .await?;
        rows.into_iter().map(decode_enterprise).collect()
    }

    async fn upsert_enterprise(&mut self, e: &Enterprise) -> Result<i64, StoreError> {
        super::store::upsert_enterprise(self.tx.as_mut(), self.dialect, e, &self.actor, &self.now)
            .await
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit().await
    }
}

/// Kinds of the columns of [`enterprise_select`].
pub(super) const ENTERPRISE_KINDS: [Kind; 18] = [
    Kind::Int,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Bool,
    Kind::Real,
    Kind::Real,
    Kind::Int,
    Kind::Int,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Real,
    Kind::Real,
    Kind::Real,
    Kind::Real,
    Kind::Text,
    Kind::Text,
];

/// SELECT of enterprises with their grades, in id order, with an optional condition.
pub(super) fn enterprise_select(d: Dialect, condition: &str) -> String {
    format!(
        "SELECT id, name, name_en, industry_chain, above_scale, output_value_wan, tax_wan, \
         employees, founded_year, {}, updated_at, zone, land_mu, tax_per_mu, output_per_mu, \
         score, grade, ungraded_reason FROM enterprises {condition} ORDER BY id",
        d.json_out("attributes")
    )
}

/// Decodes a row of [`enterprise_select`].
pub(super) fn decode_enterprise(row: Vec<Val>) -> Result<EnterpriseRecord, StoreError> {
    let mut it = row.into_iter();
    let mut next = || it.next().unwrap_or(Val::Text(None));
    let id = next().as_i64().unwrap_or_default();
    let name = next().into_text().unwrap_or_default();
    let name_en = next().into_text();
    let industry_chain = next().into_text();
    let above_scale = match next() {
        Val::Bool(b) => b,
        Val::Int(i) => i.map(|i| i != 0),
        _ => None,
    };
    let output_value_wan = next().as_f64();
    let tax_wan = next().as_f64();
    let employees = next().as_i64();
    let founded_year = next().as_i64();
    let attributes_text = next().into_text().unwrap_or_else(|| "{}".into());
    let attributes: Map<String, Value> =
        serde_json::from_str(&attributes_text).map_err(|e| StoreError::Corrupt {
            what: format!("attributes of enterprise {name}"),
            detail: e.to_string(),
        })?;
    let updated_at = next().into_text().unwrap_or_default();
    Ok(EnterpriseRecord {
        id,
        enterprise: Enterprise {
            name,
            name_en,
            industry_chain,
            above_scale,
            output_value_wan,
            tax_wan,
            employees,
            founded_year,
            attributes,
        },
        updated_at,
        grade: EnterpriseGrade {
            enterprise_id: id,
            zone: next().into_text(),
            land_mu: next().as_f64().unwrap_or(0.0),
            tax_per_mu: next().as_f64(),
            output_per_mu: next().as_f64(),
            score: next().as_f64(),
            grade: next().into_text(),
            ungraded_reason: next().into_text(),
        },
    })
}

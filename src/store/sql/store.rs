//! The [`Store`] implementation shared by the SQL backends.

use std::str::FromStr;

use async_trait::async_trait;

use super::copy::{self, SqlRestore};
use super::import::SqlImport;
use super::rows::{self, table, EVENT_COLUMNS, EVENT_KINDS};
use super::workflow;
use super::{Backend, Conn, Dialect, Kind, Val};
use crate::auth::Role;
use crate::domain::{Collection, FeatureRecord};
use crate::store::codec;
use crate::store::{
    Enterprise, EnterpriseRecord, Event, EventState, ImportMeta, ImportSession, RestoreSession,
    Store, StoreError, StoreTable, TokenInfo, WorkflowTx,
};

/// A store over a SQL backend.
pub struct SqlStore<B: Backend> {
    backend: B,
}

impl<B: Backend> SqlStore<B> {
    /// Wraps a migrated backend.
    pub fn new(backend: B) -> Self {
        Self { backend }
    }

    async fn scalar(&self, sql: &str, args: Vec<Val>) -> Result<Option<Val>, StoreError> {
        let mut conn = self.backend.conn().await?;
        let rows = conn.fetch(sql, args, &[Kind::Int]).await?;
        Ok(rows.into_iter().next().and_then(|r| r.into_iter().next()))
    }

    async fn events(&self, sql: &str, args: Vec<Val>) -> Result<Vec<Event>, StoreError> {
        let mut conn = self.backend.conn().await?;
        let rows = conn.fetch(sql, args, &EVENT_KINDS).await?;
        Ok(rows.into_iter().map(rows::decode_event).collect())
    }
}

/// Appends an event row inside a write transaction.
pub(super) struct NewEvent<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub collection: Option<&'a str>,
    pub feature_code: Option<&'a str>,
    pub import_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl NewEvent<'_> {
    pub(super) const COLUMNS: &'static str =
        "occurred_at, actor, action, collection, feature_code, import_id, before, after";

    pub(super) fn expressions(d: Dialect) -> [&'static str; 8] {
        ["?", "?", "?", "?", "?", "?", d.json_in(), d.json_in()]
    }

    pub(super) fn values(&self, now: &str) -> [Val; 8] {
        [
            Val::text(now),
            Val::text(self.actor),
            Val::text(self.action),
            Val::Text(self.collection.map(str::to_string)),
            Val::Text(self.feature_code.map(str::to_string)),
            Val::Int(self.import_id),
            Val::Text(self.before.clone()),
            Val::Text(self.after.clone()),
        ]
    }

    pub(super) async fn append(
        &self,
        conn: &mut dyn Conn,
        d: Dialect,
        now: &str,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO events ({}) VALUES {}",
            Self::COLUMNS,
            rows::tuple(&Self::expressions(d))
        );
        conn.execute(&sql, self.values(now).to_vec()).await?;
        Ok(())
    }
}

/// Inserts or updates an enterprise by name, with its event; returns its id.
pub(super) async fn upsert_enterprise(
    conn: &mut dyn Conn,
    d: Dialect,
    e: &Enterprise,
    actor: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let existed = conn
        .fetch(
            "SELECT id FROM enterprises WHERE name = ?",
            vec![Val::text(&e.name)],
            &[Kind::Int],
        )
        .await?;
    let sql = format!(
        "INSERT INTO enterprises (name, name_en, industry_chain, above_scale, output_value_wan, \
         tax_wan, employees, founded_year, attributes, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, {}, ?) \
         ON CONFLICT (name) DO UPDATE SET name_en = excluded.name_en, \
         industry_chain = excluded.industry_chain, above_scale = excluded.above_scale, \
         output_value_wan = excluded.output_value_wan, tax_wan = excluded.tax_wan, \
         employees = excluded.employees, founded_year = excluded.founded_year, \
         attributes = excluded.attributes, updated_at = excluded.updated_at RETURNING id",
        d.json_in()
    );
    let args = vec![
        Val::text(&e.name),
        Val::Text(e.name_en.clone()),
        Val::Text(e.industry_chain.clone()),
        Val::Bool(e.above_scale),
        Val::Real(e.output_value_wan),
        Val::Real(e.tax_wan),
        Val::Int(e.employees),
        Val::Int(e.founded_year),
        Val::text(serde_json::Value::Object(e.attributes.clone()).to_string()),
        Val::text(now),
    ];
    let id = conn
        .fetch(&sql, args, &[Kind::Int])
        .await?
        .into_iter()
        .next()
        .and_then(|r| r.first().and_then(Val::as_i64))
        .ok_or_else(|| StoreError::Corrupt {
            what: format!("enterprise {}", e.name),
            detail: "the upsert returned no id".into(),
        })?;
    let action = if existed.is_empty() {
        "enterprise.created"
    } else {
        "enterprise.updated"
    };
    NewEvent {
        actor,
        action,
        collection: Some("enterprises"),
        feature_code: Some(&e.name),
        import_id: None,
        before: None,
        after: serde_json::to_string(e).ok(),
    }
    .append(conn, d, now)
    .await?;
    Ok(id)
}

#[async_trait]
impl<B: Backend> Store for SqlStore<B> {
    fn backend(&self) -> &'static str {
        self.backend.name()
    }

    async fn first_start_lock(&self) -> Result<crate::store::StartLock, StoreError> {
        Ok(crate::store::StartLock {
            _held: self.backend.first_start_lock().await?,
        })
    }

    async fn close(&self) {
        self.backend.close().await;
    }

    async fn changes(&self) -> Option<tokio::sync::mpsc::Receiver<()>> {
        self.backend.changes().await
    }

    async fn scan_features(
        &self,
        c: Collection,
        sink: &mut (dyn FnMut(FeatureRecord) + Send),
    ) -> Result<(), StoreError> {
        let d = self.backend.dialect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY id",
            rows::feature_columns(c, d),
            table(c)
        );
        let kinds = rows::feature_kinds(c);
        self.backend
            .scan(&sql, &kinds, &mut |row| {
                sink(rows::decode_feature(c, row)?);
                Ok(())
            })
            .await
    }

    async fn features_by_codes(
        &self,
        c: Collection,
        codes: &[String],
    ) -> Result<Vec<FeatureRecord>, StoreError> {
        let d = self.backend.dialect();
        let kinds = rows::feature_kinds(c);
        let mut conn = self.backend.conn().await?;
        let mut out = Vec::with_capacity(codes.len());
        for chunk in codes.chunks(500) {
            let sql = format!(
                "SELECT {} FROM {} WHERE code IN {}",
                rows::feature_columns(c, d),
                table(c),
                rows::tuple(&vec!["?"; chunk.len()])
            );
            let args = chunk.iter().map(Val::text).collect();
            for row in conn.fetch(&sql, args, &kinds).await? {
                out.push(rows::decode_feature(c, row)?);
            }
        }
        out.sort_by_key(|f| f.id);
        Ok(out)
    }

    async fn feature_count(&self, c: Collection) -> Result<i64, StoreError> {
        let sql = format!("SELECT COUNT(*) FROM {}", table(c));
        Ok(self
            .scalar(&sql, vec![])
            .await?
            .and_then(|v| v.as_i64())
            .unwrap_or(0))
    }

    async fn begin_import(&self, meta: ImportMeta) -> Result<Box<dyn ImportSession>, StoreError> {
        let mut tx = self.backend.begin_write().await?;
        let now = codec::now_rfc3339();
        let rows = tx
            .fetch(
                "INSERT INTO imports (started_at, actor, source, collection, source_crs) \
                 VALUES (?, ?, ?, ?, ?) RETURNING id",
                vec![
                    Val::text(&now),
                    Val::text(&meta.actor),
                    Val::text(&meta.source),
                    Val::text(meta.collection.id()),
                    Val::text(&meta.source_crs),
                ],
                &[Kind::Int],
            )
            .await?;
        let import_id = rows
            .first()
            .and_then(|r| r.first())
            .and_then(Val::as_i64)
            .unwrap_or_default();
        Ok(Box::new(SqlImport::new(
            tx,
            self.backend.dialect(),
            import_id,
            meta,
            now,
        )))
    }

    async fn last_event_id(&self) -> Result<i64, StoreError> {
        Ok(self
            .scalar("SELECT COALESCE(MAX(id), 0) FROM events", vec![])
            .await?
            .and_then(|v| v.as_i64())
            .unwrap_or(0))
    }

    async fn events_after(&self, after: i64, limit: i64) -> Result<Vec<Event>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?");
        self.events(&sql, vec![Val::Int(Some(after)), Val::Int(Some(limit))])
            .await
    }

    async fn scan_event_states(
        &self,
        until: &str,
        sink: &mut (dyn FnMut(EventState) + Send),
    ) -> Result<(), StoreError> {
        let d = self.backend.dialect();
        let sql = format!(
            "SELECT {STATE_COLUMNS}, {} FROM events WHERE occurred_at <= {} ORDER BY id",
            d.json_out("after"),
            quote_literal(until)
        );
        self.backend
            .scan(&sql, &STATE_KINDS, &mut |row| {
                sink(decode_state(row));
                Ok(())
            })
            .await
    }

    async fn feature_event_states(
        &self,
        c: Collection,
        codes: &[String],
    ) -> Result<Vec<EventState>, StoreError> {
        let d = self.backend.dialect();
        let mut conn = self.backend.conn().await?;
        let mut out = Vec::new();
        for chunk in codes.chunks(500) {
            let sql = format!(
                "SELECT {STATE_COLUMNS}, {} FROM events WHERE collection = ? AND feature_code IN {} ORDER BY id",
                d.json_out("after"),
                rows::tuple(&vec!["?"; chunk.len()])
            );
            let mut args = vec![Val::text(c.id())];
            args.extend(chunk.iter().map(Val::text));
            for row in conn.fetch(&sql, args, &STATE_KINDS).await? {
                out.push(decode_state(row));
            }
        }
        out.sort_by_key(|e| e.id);
        Ok(out)
    }

    async fn feature_history(&self, c: Collection, code: &str) -> Result<Vec<Event>, StoreError> {
        let d = self.backend.dialect();
        let sql = format!(
            "SELECT {EVENT_COLUMNS}, {}, {} FROM events WHERE collection = ? AND feature_code = ? ORDER BY id",
            d.json_out("before"),
            d.json_out("after")
        );
        let mut kinds = EVENT_KINDS.to_vec();
        kinds.extend([Kind::Text, Kind::Text]);
        let mut conn = self.backend.conn().await?;
        let rows = conn
            .fetch(&sql, vec![Val::text(c.id()), Val::text(code)], &kinds)
            .await?;
        Ok(rows
            .into_iter()
            .map(|mut row| {
                let parse = |v: Val| v.into_text().and_then(|t| serde_json::from_str(&t).ok());
                let after: Option<serde_json::Value> = row.pop().and_then(parse);
                let before: Option<serde_json::Value> = row.pop().and_then(parse);
                let mut e = rows::decode_event(row);
                match after {
                    Some(a) if a.get("properties").is_some() && before.is_some() => {
                        e.changes = Some(rows::state_changes(before.as_ref(), &a));
                    }
                    Some(a) if a.get("properties").is_none() => e.details = Some(a),
                    _ => {}
                }
                e
            })
            .collect())
    }

    async fn upsert_enterprises(
        &self,
        list: &[Enterprise],
        actor: &str,
    ) -> Result<usize, StoreError> {
        let d = self.backend.dialect();
        let mut tx = self.backend.begin_write().await?;
        let now = codec::now_rfc3339();
        for e in list {
            upsert_enterprise(tx.as_mut(), d, e, actor, &now).await?;
        }
        tx.commit().await?;
        Ok(list.len())
    }

    async fn enterprises(&self) -> Result<Vec<EnterpriseRecord>, StoreError> {
        let mut conn = self.backend.conn().await?;
        let sql = workflow::enterprise_select(self.backend.dialect(), "");
        let rows = conn
            .fetch(&sql, vec![], &workflow::ENTERPRISE_KINDS)
            .await?;
        rows.into_iter().map(workflow::decode_enterprise).collect()
    }

    async fn begin_workflow(&self, actor: &str) -> Result<Box<dyn WorkflowTx>, StoreError> {
        Ok(Box::new(workflow::SqlWorkflow {
            tx: self.backend.begin_write().await?,
            dialect: self.backend.dialect(),
            actor: actor.to_string(),
            now: codec::now_rfc3339(),
        }))
    }

    async fn enterprise_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .scalar("SELECT COUNT(*) FROM enterprises", vec![])
            .await?
            .and_then(|v| v.as_i64())
            .unwrap_or(0))
    }

    async fn create_token(
        &self,
        name: &str,
        role: Role,
        hash: &str,
        expires_at: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut conn = self.backend.conn().await?;
        let taken = conn
            .fetch(
                "SELECT id FROM tokens WHERE name = ?",
                vec![Val::text(name)],
                &[Kind::Int],
            )
            .await?;
        if !taken.is_empty() {
            return Err(StoreError::Conflict(format!(
                "a token named {name:?} already exists"
            )));
        }
        conn.execute(
            "INSERT INTO tokens (name, role, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            vec![
                Val::text(name),
                Val::text(role.code()),
                Val::text(hash),
                Val::text(codec::now_rfc3339()),
                Val::Text(expires_at.map(str::to_string)),
            ],
        )
        .await?;
        Ok(())
    }

    async fn table_page(
        &self,
        t: StoreTable,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Vec<Val>>, StoreError> {
        copy::table_page(&self.backend, t, after_id, limit).await
    }

    async fn begin_restore(&self) -> Result<Box<dyn RestoreSession>, StoreError> {
        Ok(Box::new(SqlRestore {
            tx: self.backend.begin_write().await?,
            dialect: self.backend.dialect(),
        }))
    }

    async fn row_count(&self, t: StoreTable) -> Result<i64, StoreError> {
        let sql = format!("SELECT COUNT(*) FROM {}", t.name());
        Ok(self
            .scalar(&sql, vec![])
            .await?
            .and_then(|v| v.as_i64())
            .unwrap_or(0))
    }

    async fn find_token(&self, hash: &str) -> Result<Option<TokenInfo>, StoreError> {
        let mut conn = self.backend.conn().await?;
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE token_hash = ?");
        let rows = conn
            .fetch(&sql, vec![Val::text(hash)], &TOKEN_KINDS)
            .await?;
        rows.into_iter().next().map(decode_token).transpose()
    }

    async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let mut conn = self.backend.conn().await?;
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY id");
        conn.fetch(&sql, vec![], &TOKEN_KINDS)
            .await?
            .into_iter()
            .map(decode_token)
            .collect()
    }

    async fn revoke_token(&self, name_or_id: &str) -> Result<TokenInfo, StoreError> {
        let mut conn = self.backend.conn().await?;
        let id = name_or_id.trim().parse::<i64>().ok();
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE name = ? OR id = ?");
        let found = conn
            .fetch(
                &sql,
                vec![
                    Val::text(name_or_id.trim()),
                    Val::Int(Some(id.unwrap_or(-1))),
                ],
                &TOKEN_KINDS,
            )
            .await?;
        let mut found: Vec<TokenInfo> = found
            .into_iter()
            .map(decode_token)
            .collect::<Result<_, _>>()?;
        // A name that is also another token's id: the name wins.
        found.sort_by_key(|t| t.name != name_or_id.trim());
        let Some(token) = found.into_iter().next() else {
            return Err(StoreError::Conflict(format!(
                "no token is named or numbered {name_or_id:?}; `landreuse token list` shows them"
            )));
        };
        if let Some(at) = &token.revoked_at {
            return Err(StoreError::Conflict(format!(
                "token {} ({:?}) was already revoked at {at}",
                token.id, token.name
            )));
        }
        let now = codec::now_rfc3339();
        conn.execute(
            "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            vec![Val::text(&now), Val::Int(Some(token.id))],
        )
        .await?;
        Ok(TokenInfo {
            revoked_at: Some(now),
            ..token
        })
    }
}

const TOKEN_COLUMNS: &str = "id, name, role, created_at, expires_at, revoked_at";
const TOKEN_KINDS: [Kind; 6] = [
    Kind::Int,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
];

fn decode_token(row: Vec<Val>) -> Result<TokenInfo, StoreError> {
    let mut it = row.into_iter();
    let id = it.next().and_then(|v| v.as_i64()).unwrap_or_default();
    let mut text = || it.next().and_then(Val::into_text);
    let name = text().unwrap_or_default();
    let role = text().unwrap_or_default();
    let role = Role::from_str(&role).map_err(|detail| StoreError::Corrupt {
        what: format!("the role of token {id}"),
        detail,
    })?;
    Ok(TokenInfo {
        id,
        name,
        role,
        created_at: text().unwrap_or_default(),
        expires_at: text(),
        revoked_at: text(),
    })
}

const STATE_COLUMNS: &str = "id, occurred_at, action, collection, feature_code";
const STATE_KINDS: [Kind; 6] = [
    Kind::Int,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
];

fn decode_state(row: Vec<Val>) -> EventState {
    let mut it = row.into_iter();
    let mut next = || it.next().unwrap_or(Val::Text(None));
    EventState {
        id: next().as_i64().unwrap_or_default(),
        occurred_at: next().into_text().unwrap_or_default(),
        action: next().into_text().unwrap_or_default(),
        collection: next().into_text(),
        feature_code: next().into_text(),
        after: next().into_text(),
    }
}

/// A SQL string literal (for a scan, which takes no arguments).
fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

//! Opaque cursors and page sizes of list endpoints.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use shared::api::{DEFAULT_LIMIT, MAX_LIMIT};

use crate::error::ApiError;

/// The page size asked for, 1 to 500, default 50.
pub fn limit_of(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::field(
            "limit",
            "out_of_range",
            format!("limit must be 1 to {MAX_LIMIT}"),
        )),
    }
}

/// Where the previous page ended: the sort key of its last item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Timestamp key (microseconds since the epoch) for lists ordered by time.
    pub ts: Option<i64>,
    /// Id (or other unique key) of the last item.
    pub id: String,
}

impl Cursor {
    /// The opaque string form.
    pub fn encode(&self) -> String {
        let raw = match self.ts {
            Some(ts) => format!("{ts}|{}", self.id),
            None => self.id.clone(),
        };
        B64URL.encode(raw)
    }

    /// Parses a cursor given by a client; a bad one is a field error.
    pub fn decode_opt(s: Option<&str>) -> Result<Option<Self>, ApiError> {
        let Some(s) = s else { return Ok(None) };
        let bad = || {
            ApiError::field(
                "cursor",
                "invalid_cursor",
                "the cursor is not one this server gave out",
            )
        };
        let raw = String::from_utf8(B64URL.decode(s).map_err(|_| bad())?).map_err(|_| bad())?;
        if raw.is_empty() || raw.len() > 200 {
            return Err(bad());
        }
        Ok(Some(match raw.split_once('|') {
            Some((ts, id)) => Cursor {
                ts: Some(ts.parse().map_err(|_| bad())?),
                id: id.to_owned(),
            },
            None => Cursor { ts: None, id: raw },
        }))
    }

    /// The SQL condition "after the cursor" of a raw-SQL list ordered by a uuid column
    /// `col`: TRUE without a cursor, else `col > '<uuid>'` with the uuid re-made from its
    /// parsed form, so that nothing of the cursor reaches the SQL as sent.
    pub fn after_uuid_sql(cursor: Option<&str>, col: &str) -> Result<String, ApiError> {
        match Self::decode_opt(cursor)? {
            None => Ok("TRUE".to_owned()),
            Some(c) => {
                let id = uuid::Uuid::parse_str(&c.id).map_err(|_| {
                    ApiError::field(
                        "cursor",
                        "invalid_cursor",
                        "the cursor is not one this server gave out",
                    )
                })?;
                Ok(format!("{col} > '{id}'"))
            }
        }
    }

    /// Given `limit + 1` fetched items, drops the extra one and returns the cursor of
    /// the next page, if there is one.
    pub fn next_page<T>(
        items: &mut Vec<T>,
        limit: i64,
        key: impl Fn(&T) -> Cursor,
    ) -> Option<String> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        if items.len() > limit {
            items.truncate(limit);
            items.last().map(|last| key(last).encode())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            ts: Some(1_700_000_000_000_000),
            id: "abc".into(),
        };
        assert_eq!(
            Cursor::decode_opt(Some(&c.encode())).ok().flatten(),
            Some(c)
        );
        assert!(Cursor::decode_opt(Some("%%%")).is_err());
        assert!(Cursor::decode_opt(Some(&B64URL.encode("x|y"))).is_err());
        assert!(limit_of(Some(0)).is_err());
        assert!(limit_of(Some(501)).is_err());
        assert_eq!(limit_of(None).ok(), Some(50));
    }
}

/// Paging of a list ordered by one unique text key (id or username): the page size, where
/// the last page ended, and how to cut the next page's cursor.
#[derive(Debug, Clone)]
pub struct Paging {
    /// Page size.
    pub limit: i64,
    /// Key of the last item of the previous page.
    pub after: Option<String>,
}

impl Paging {
    /// Reads `limit` and `cursor` from a request.
    pub fn new(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, ApiError> {
        Ok(Self {
            limit: limit_of(limit)?,
            after: Cursor::decode_opt(cursor)?.map(|c| c.id),
        })
    }

    /// How many rows to fetch: one more than a page, to know whether another follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The page of fetched `items`, with the next cursor made from the last item's key.
    pub fn page<T>(&self, mut items: Vec<T>, key: impl Fn(&T) -> String) -> shared::api::Page<T> {
        let next_cursor = Cursor::next_page(&mut items, self.limit, |t| Cursor {
            ts: None,
            id: key(t),
        });
        shared::api::Page { items, next_cursor }
    }
}

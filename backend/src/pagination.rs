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

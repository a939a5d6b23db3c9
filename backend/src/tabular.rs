//! Spreadsheets in and out: XLSX (rust_xlsxwriter, calamine) and CSV, as tables of
//! strings with a header row. Every module's import and export goes through here.

use std::io::Cursor;

use actix_web::http::header;
use actix_web::HttpResponse;
use calamine::{Data, Reader, Xlsx};
use serde::Deserialize;

use crate::error::ApiError;

/// A file format for import and export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Office Open XML workbook.
    Xlsx,
    /// Comma-separated values, UTF-8.
    Csv,
}

/// A header row and data rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Column titles.
    pub headers: Vec<String>,
    /// Data rows, each as long as `headers` or shorter.
    pub rows: Vec<Vec<String>>,
}

/// Largest upload accepted (a 50,000-row roster is about 3 MB as XLSX).
pub const MAX_UPLOAD: usize = 32 * 1024 * 1024;

/// Writes a table as XLSX or CSV (CSV with a byte-order mark, so spreadsheet programs
/// read the Chinese text as UTF-8).
pub fn write(table: &Table, format: Format) -> Result<Vec<u8>, ApiError> {
    match format {
        Format::Csv => {
            let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
            {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record(&table.headers)
                    .map_err(|e| ApiError::Internal(e.into()))?;
                for r in &table.rows {
                    w.write_record(r)
                        .map_err(|e| ApiError::Internal(e.into()))?;
                }
                w.flush().map_err(|e| ApiError::Internal(e.into()))?;
            }
            Ok(out)
        }
        Format::Xlsx => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            let bold = rust_xlsxwriter::Format::new().set_bold();
            let text = rust_xlsxwriter::Format::new().set_num_format("@");
            let xl = |e: rust_xlsxwriter::XlsxError| ApiError::Internal(e.into());
            for (c, h) in table.headers.iter().enumerate() {
                let col = u16::try_from(c).map_err(|e| ApiError::Internal(e.into()))?;
                ws.write_string_with_format(0, col, h, &bold).map_err(xl)?;
                // Identity numbers and dates stay text: never numbers Excel would round.
                ws.set_column_format(col, &text).map_err(xl)?;
                ws.set_column_width(col, 20).map_err(xl)?;
            }
            for (r, row) in table.rows.iter().enumerate() {
                let r = u32::try_from(r + 1).map_err(|e| ApiError::Internal(e.into()))?;
                for (c, v) in row.iter().enumerate() {
                    let col = u16::try_from(c).map_err(|e| ApiError::Internal(e.into()))?;
                    ws.write_string(r, col, v).map_err(xl)?;
                }
            }
            wb.save_to_buffer().map_err(xl)
        }
    }
}

/// A download response with a file name.
pub fn download(bytes: Vec<u8>, format: Format, stem: &str) -> HttpResponse {
    let (mime, ext) = match format {
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, mime))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{stem}.{ext}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes)
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        // Excel serial dates count days from 1899-12-30.
        Data::DateTime(dt) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| {
                epoch.checked_add_signed(chrono::TimeDelta::days(dt.as_f64().floor() as i64))
            })
            .map(|d| d.to_string())
            .unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Reads the first sheet of an XLSX file or a CSV file into a table. A file that cannot
/// be read is a field error on `file`.
pub fn read(bytes: &[u8], format: Format) -> Result<Table, ApiError> {
    let bad = |why: String| ApiError::field("file", "unreadable", why);
    let mut rows: Vec<Vec<String>> = match format {
        Format::Csv => {
            let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text);
            r.records()
                .map(|rec| {
                    rec.map(|rec| rec.iter().map(|s| s.trim().to_owned()).collect())
                        .map_err(|e| bad(format!("not a CSV file: {e}")))
                })
                .collect::<Result<_, _>>()?
        }
        Format::Xlsx => {
            let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e| bad(format!("not an XLSX workbook: {e}")))?;
            let range = wb
                .worksheet_range_at(0)
                .ok_or_else(|| bad("the workbook has no sheet".into()))?
                .map_err(|e| bad(format!("{e}")))?;
            range
                .rows()
                .map(|r| r.iter().map(cell_text).collect())
                .collect()
        }
    };
    rows.retain(|r| r.iter().any(|c| !c.is_empty()));
    if rows.is_empty() {
        return Err(bad("the file is empty".into()));
    }
    let headers = rows.remove(0);
    Ok(Table { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_both_formats() {
        let t = Table {
            headers: vec!["身份证号".into(), "姓名".into()],
            rows: vec![
                vec!["43038119900101123X".into(), "张三".into()],
                vec!["430381199001011234".into(), "李四, 二".into()],
            ],
        };
        for f in [Format::Xlsx, Format::Csv] {
            let bytes = write(&t, f).expect("write");
            assert_eq!(read(&bytes, f).expect("read"), t, "{f:?}");
        }
        assert!(read(b"not a zip", Format::Xlsx).is_err());
        assert!(read(b"", Format::Csv).is_err());
    }
}

//! Spreadsheets in and out: XLSX (rust_xlsxwriter, calamine) and CSV, as tables of
//! strings with a header row. Every module's import and export goes through here.

use std::io::Cursor;

use actix_web::http::header;
use actix_web::HttpResponse;
use calamine::{Data, Reader, Xlsx};

use crate::error::ApiError;

pub use shared::api::Format;

/// A header row and data rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Column titles.
    pub headers: Vec<String>,
    /// Data rows, each as long as `headers` or shorter.
    pub rows: Vec<Vec<String>>,
    /// Columns whose cells must be one of a list (by column index): an XLSX gets a
    /// drop-down with that list on every data row, so a wrong value is caught in Excel.
    pub choices: Vec<(usize, Vec<String>)>,
}

/// Largest upload accepted by an import endpoint (a 100,000-row roster is about 3 MB
/// as XLSX and 8 MB as CSV).
pub const MAX_UPLOAD: usize = 16 * 1024 * 1024;

/// Most data rows an import takes (the header row comes on top).
pub const MAX_ROWS: u32 = 100_000;

/// Most columns an import reads.
pub const MAX_COLUMNS: u32 = 64;

/// Most bytes the parts of an uploaded workbook may declare once unpacked: a few
/// kilobytes of XML can otherwise claim gigabytes (a zip bomb).
pub const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

fn too_large(max_rows: u32) -> ApiError {
    ApiError::field(
        "file",
        "file_too_large",
        format!("a file may have at most {max_rows} rows and {MAX_COLUMNS} columns"),
    )
}

/// Refuses a workbook whose parts declare more than [`MAX_UNPACKED`] bytes in all.
fn check_zip(bytes: &[u8]) -> Result<(), ApiError> {
    let bad = |e: zip::result::ZipError| {
        ApiError::field("file", "unreadable", format!("not an XLSX workbook: {e}"))
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(bad)?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let size = zip.by_index_raw(i).map_err(bad)?.size();
        total = total.saturating_add(size);
        if total > MAX_UNPACKED {
            return Err(too_large(MAX_ROWS));
        }
    }
    Ok(())
}

/// The first sheet's cells, streamed: the sheet's declared dimension is checked first,
/// then every cell's position, so that a sheet whose used range spans A1:XFD1048576 is
/// refused instead of allocated (calamine's `worksheet_range` builds the dense grid).
fn read_xlsx(bytes: &[u8], max_rows: u32, max_columns: u32) -> Result<Vec<Vec<String>>, ApiError> {
    let bad = |why: String| ApiError::field("file", "unreadable", why);
    check_zip(bytes)?;
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| bad(format!("not an XLSX workbook: {e}")))?;
    let first = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| bad("the workbook has no sheet".into()))?;
    let mut cells = wb
        .worksheet_cells_reader(&first)
        .map_err(|e| bad(format!("{e}")))?;
    let dim = cells.dimensions();
    if dim.end.0 > max_rows || dim.end.1 >= MAX_COLUMNS {
        return Err(too_large(max_rows));
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|e| bad(format!("{e}")))? {
        let (r, c) = cell.get_position();
        if r > max_rows || c >= MAX_COLUMNS {
            return Err(too_large(max_rows));
        }
        if c >= max_columns {
            continue;
        }
        let (r, c) = (r as usize, c as usize);
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = cell_text(&Data::from(cell.get_value().clone()));
    }
    Ok(rows)
}

/// Neutralises a CSV cell that a spreadsheet program would run as a formula (`=`, `+`,
/// `-`, `@`, or a leading tab or carriage return): it is prefixed with `'`, which shows
/// as text. (OWASP's advice for CSV injection.)
pub fn csv_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Writes a table as XLSX or CSV (CSV with a byte-order mark, so spreadsheet programs
/// read the Chinese text as UTF-8; every cell through [`csv_safe`]). XLSX cells are
/// written as strings, never formulas.
pub fn write(table: &Table, format: Format) -> Result<Vec<u8>, ApiError> {
    match format {
        Format::Csv => {
            let mut out = Vec::from(&b"\xEF\xBB\xBF"[..]);
            {
                let mut w = csv::Writer::from_writer(&mut out);
                w.write_record(table.headers.iter().map(|c| csv_safe(c).into_owned()))
                    .map_err(|e| ApiError::Internal(e.into()))?;
                for r in &table.rows {
                    w.write_record(r.iter().map(|c| csv_safe(c).into_owned()))
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
            for (c, list) in &table.choices {
                let col = u16::try_from(*c).map_err(|e| ApiError::Internal(e.into()))?;
                let dv = rust_xlsxwriter::DataValidation::new()
                    .allow_list_strings(list)
                    .map_err(xl)?
                    .set_error_title("请从下拉列表中选择")
                    .map_err(xl)?
                    .set_error_message(format!("可填：{}", list.join("、")))
                    .map_err(xl)?;
                ws.add_data_validation(1, col, MAX_ROWS, col, &dv)
                    .map_err(xl)?;
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
        // A serial out of any real range (1e300, NaN) is no date, never a panic.
        Data::DateTime(dt) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .zip(Some(dt.as_f64().floor()).filter(|d| d.abs() < 3e6))
            .and_then(|(epoch, days)| {
                epoch.checked_add_signed(chrono::TimeDelta::try_days(days as i64)?)
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
    read_with(bytes, format, MAX_ROWS)
}

/// [`read`] with another bound on the data rows than [`MAX_ROWS`] (another agency's
/// list of a whole province).
pub fn read_with(bytes: &[u8], format: Format, max_rows: u32) -> Result<Table, ApiError> {
    read_limited(bytes, format, max_rows, MAX_COLUMNS)
}

/// [`read_with`] keeping at most `max_columns` columns (the rest of each row is
/// dropped as it is read; empty rows too), so that a file's size in memory is bounded
/// by rows × columns whatever its cells.
pub fn read_limited(
    bytes: &[u8],
    format: Format,
    max_rows: u32,
    max_columns: u32,
) -> Result<Table, ApiError> {
    let bad = |why: String| ApiError::field("file", "unreadable", why);
    let mut rows: Vec<Vec<String>> = match format {
        Format::Csv => {
            let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text);
            let mut rows = Vec::new();
            for rec in r.records() {
                let rec = rec.map_err(|e| bad(format!("not a CSV file: {e}")))?;
                if rows.len() > max_rows as usize || rec.len() > MAX_COLUMNS as usize {
                    return Err(too_large(max_rows));
                }
                if rec.iter().all(|s| s.trim().is_empty()) {
                    continue;
                }
                rows.push(
                    rec.iter()
                        .take(max_columns as usize)
                        .map(|s| s.trim().to_owned())
                        .collect(),
                );
            }
            rows
        }
        Format::Xlsx => read_xlsx(bytes, max_rows, max_columns)?,
    };
    rows.retain(|r| r.iter().any(|c| !c.is_empty()));
    if rows.is_empty() {
        return Err(bad("the file is empty".into()));
    }
    let headers = rows.remove(0);
    Ok(Table {
        headers,
        rows,
        choices: Vec::new(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn round_trips_both_formats() {
        let t = Table {
            headers: vec!["身份证号".into(), "姓名".into()],
            rows: vec![
                vec!["43038119900101123X".into(), "张三".into()],
                vec!["430381199001011234".into(), "李四, 二".into()],
            ],
            choices: Vec::new(),
        };
        for f in [Format::Xlsx, Format::Csv] {
            let bytes = write(&t, f).expect("write");
            assert_eq!(read(&bytes, f).expect("read"), t, "{f:?}");
        }
        assert!(read(b"not a zip", Format::Xlsx).is_err());
        assert!(read(b"", Format::Csv).is_err());
    }

    #[test]
    fn csv_cells_never_become_formulas() {
        let t = Table {
            headers: vec!["=cmd|' /C calc'!A0".into()],
            rows: ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "正常", "a=b"]
                .iter()
                .map(|c| vec![(*c).to_owned()])
                .collect(),
            choices: Vec::new(),
        };
        let bytes = write(&t, Format::Csv).expect("write");
        let back = read(&bytes, Format::Csv).expect("read");
        assert_eq!(back.headers, vec!["'=cmd|' /C calc'!A0"]);
        let cells: Vec<&str> = back.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            cells,
            [
                "'=1+1",
                "'+1",
                "'-1",
                "'@SUM(A1)",
                "'\tx",
                "'\rx",
                "正常",
                "a=b"
            ]
        );
    }

    /// A workbook whose only cells are A1 and XFD1048576: 1.6 KB that calamine's dense
    /// range would turn into 17 billion cells.
    pub fn sparse_corners() -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "身份证号").expect("a1");
        ws.write_string(1_048_575, 16_383, "x").expect("corner");
        wb.save_to_buffer().expect("save")
    }

    #[test]
    fn huge_sheets_are_refused_not_allocated() {
        let bytes = sparse_corners();
        assert!(bytes.len() < 10_000, "{}", bytes.len());
        let e = read(&bytes, Format::Xlsx).expect_err("refused");
        assert_eq!(e.problem().status, 422);
        assert!(format!("{:?}", e.problem()).contains("file_too_large"));
        // One row over the limit, in a CSV.
        let mut csv = String::from("a\n");
        for _ in 0..=MAX_ROWS {
            csv.push_str("1\n");
        }
        assert!(read(csv.as_bytes(), Format::Csv).is_err());
        let wide = format!("{}\n", vec!["x"; MAX_COLUMNS as usize + 1].join(","));
        assert!(read(wide.as_bytes(), Format::Csv).is_err());
    }

    #[test]
    fn absurd_date_serials_are_no_date() {
        for v in [1e300, -1e300, f64::NAN, f64::INFINITY, 9.3e18] {
            let d = Data::DateTime(calamine::ExcelDateTime::new(
                v,
                calamine::ExcelDateTimeType::DateTime,
                false,
            ));
            assert_eq!(cell_text(&d), "");
        }
    }
}

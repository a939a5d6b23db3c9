//! The `xiangzhu` command: runs the server, or generates benchmark data.

use clap::{Parser, Subcommand};

use backend::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "xiangzhu",
    about = "Xiangzhu (湘助): the Hunan DPF's programme for disabled people"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply migrations and load the org tree, then exit.
    Migrate,
    /// Print the OpenAPI document (for client generators) and exit.
    Openapi,
    /// Rebuild the KPI aggregates of every computed indicator from the records, then
    /// exit (they are kept up to date by every write; this is for an operator who
    /// changed records outside the server, or a care threshold).
    KpiRebuild,
    /// Write a consistent backup of the running database to a new file (SQLite: an
    /// online `VACUUM INTO` copy; PostgreSQL: `pg_dump --format=custom`). The PII key is
    /// not in it: back it up separately.
    Backup {
        /// The file to write (must not exist).
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Restore a backup into `DATABASE_URL`: a SQLite file that does not exist yet, or an
    /// empty PostgreSQL database (all or nothing). Start the server with the same PII key.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Add synthetic persons (marked synthetic) for benchmarks, spread over every county.
    Generate {
        /// How many persons to add.
        #[arg(long, default_value_t = 500_000)]
        persons: usize,
        /// Seed of the random generator (the same seed gives the same people).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn main() -> anyhow::Result<()> {
    backend::logging::init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => actix_web::rt::System::new().block_on(backend::server::run(cli.config)),
        Command::Openapi => {
            println!(
                "{}",
                serde_json::to_string_pretty(backend::openapi::document())?
            );
            Ok(())
        }
        Command::Migrate => {
            backend::server::prepare(&cli.config)?;
            println!("database ready");
            Ok(())
        }
        Command::Backup { to } => {
            let url = cli.config.database_url();
            let pool = backend::db::connect(&url, 1)?;
            let mut conn = pool.get()?;
            backend::backup::backup(&mut conn, &url, &to)?;
            let counts = backend::backup::table_counts(&mut conn)?;
            println!(
                "backed up {} tables ({} rows) to {}; back up the PII key separately",
                counts.len(),
                counts.values().sum::<i64>(),
                to.display()
            );
            Ok(())
        }
        Command::Restore { from } => {
            let url = cli.config.database_url();
            backend::backup::restore(&from, &url)?;
            let pool = backend::db::connect(&url, 1)?;
            let mut conn = pool.get()?;
            // Phones must sync again from the start: what they hold may be newer than the
            // backup.
            backend::sync::new_epoch(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
            let counts = backend::backup::table_counts(&mut conn)?;
            println!(
                "restored {} tables ({} rows) from {}",
                counts.len(),
                counts.values().sum::<i64>(),
                from.display()
            );
            Ok(())
        }
        Command::KpiRebuild => {
            let state = backend::server::prepare(&cli.config)?;
            let mut conn = state.pool.get()?;
            let started = std::time::Instant::now();
            backend::plan::aggregates::rebuild_all(&mut conn)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "rebuilt the KPI aggregates in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Generate { persons, seed } => {
            let state = backend::server::prepare(&cli.config)?;
            let mut conn = state.pool.get()?;
            let counties =
                backend::demo::all_counties(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
            let started = std::time::Instant::now();
            let written = backend::demo::seed_persons(
                &mut conn,
                &state.pii,
                &counties,
                persons,
                seed,
                &|n| {
                    if n % 20_000 < 400 {
                        eprintln!("{n} persons written");
                    }
                },
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "wrote {written} synthetic persons in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

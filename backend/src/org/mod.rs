//! The org tree (province → cities → counties, plus the provincial DPF's departments)
//! and the address reference data (towns, villages), loaded from the project's copy of
//! the NBS division codes in `backend/seed/`.

pub mod queries;
pub mod routes;
pub mod seed;

//! Rendering: turning what a repository *generates* into the files linea lints, keeping where
//! every rendered byte came from.
//!
//! - [`template`]: a Go `text/template` interpreter with Helm's semantics and the Sprig
//!   functions real charts use. Its output is text plus origin segments: every byte knows the
//!   template span that wrote it and, when an action printed a value, the values entry it came
//!   from.
//! - [`helm`]: charts (values, subcharts, environments) rendered with that engine.
//! - [`kustomize`]: overlays built with their bases, components, generators and patches.
//!
//! Every bound the renderers enforce is a limit of [`crate::budget`].

pub mod helm;
pub mod kustomize;
pub mod template;

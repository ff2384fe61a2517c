//! `baton start`: create a workflow in the first phase of its definition.

use super::act::report;
use crate::cli::context::{Ctx, json_arg};
use crate::cli::exit::{CliError, CliResult};
use crate::engine;
use crate::model::NewWorkflow;
use clap::Args;
use serde_json::{Value, json};

#[derive(Debug, Args)]
pub struct StartArgs {
    /// The project the build belongs to
    #[arg(long, value_name = "P")]
    pub project: String,
    /// A unique build id [default: PROJECT-<first 8 characters of the id>]
    #[arg(long, value_name = "B")]
    pub build_id: Option<String>,
    /// The workflow definition to follow
    #[arg(long, value_name = "D", default_value = "build")]
    pub definition: String,
    /// The user the build is for
    #[arg(long, value_name = "U")]
    pub user: Option<String>,
    /// Free-form metadata: a JSON object, or @FILE
    #[arg(long, value_name = "JSON|@FILE")]
    pub metadata: Option<String>,
    /// Why (recorded in the event)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Print the new workflow as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, a: &StartArgs) -> CliResult {
    let metadata = match &a.metadata {
        None => json!({}),
        Some(raw) => match json_arg("--metadata", raw)? {
            v @ Value::Object(_) => v,
            other => {
                return Err(CliError::usage(format!(
                    "--metadata must be a JSON object such as '{{\"branch\": \"main\"}}', not {other}"
                )));
            }
        },
    };
    for (flag, v) in [
        ("--project", Some(&a.project)),
        ("--build-id", a.build_id.as_ref()),
    ] {
        if v.is_some_and(|v| v.trim().is_empty()) {
            return Err(CliError::usage(format!("{flag} must not be empty")));
        }
    }
    let new = NewWorkflow {
        build_id: a.build_id.clone(),
        project_id: a.project.clone(),
        user_id: a.user.clone(),
        definition: a.definition.clone(),
        metadata,
    };
    let mut store = ctx.open()?;
    let written = engine::start(&mut store, &new, &ctx.actor, a.reason.as_deref())?;
    report(&written.workflow, "started", a.json)
}

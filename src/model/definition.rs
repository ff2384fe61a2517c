use serde::{Deserialize, Serialize};

/// A named, versioned, ordered list of phases (`workflow_definitions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub name: String,
    #[serde(default = "one")]
    pub version: i64,
    #[serde(default)]
    pub description: Option<String>,
    pub phases: Vec<Phase>,
}

/// One phase and the role that owns it, with optional limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub name: String,
    pub role: String,
    /// Retries allowed in this phase; falls back to the workflow's `max_retries`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<i64>,
    /// Seconds in this phase without a heartbeat before the workflow counts as stuck.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stuck_after_secs: Option<i64>,
    /// Seconds a handoff into this phase may wait unacknowledged before it counts as stuck.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff_timeout_secs: Option<i64>,
}

fn one() -> i64 {
    1
}

impl Definition {
    /// The default `build` definition, shipped in `assets/`.
    pub fn builtin() -> Definition {
        serde_json::from_str(include_str!("../../assets/definitions/build.json"))
            .expect("assets/definitions/build.json is valid (checked by a unit test)")
    }

    pub fn phase_index(&self, name: &str) -> Option<usize> {
        self.phases.iter().position(|p| p.name == name)
    }

    pub fn phase(&self, name: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.name == name)
    }

    /// Checks what a definition file must hold before it is stored.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("the definition has an empty name".into());
        }
        if self.phases.is_empty() {
            return Err(format!("definition '{}' has no phases", self.name));
        }
        for (i, p) in self.phases.iter().enumerate() {
            if p.name.trim().is_empty() || p.role.trim().is_empty() {
                return Err(format!("phase {} needs both a name and a role", i + 1));
            }
            if self.phases[..i].iter().any(|q| q.name == p.name) {
                return Err(format!("phase '{}' appears twice", p.name));
            }
            for (what, v) in [
                ("max_retries", p.max_retries),
                ("stuck_after_secs", p.stuck_after_secs),
                ("handoff_timeout_secs", p.handoff_timeout_secs),
            ] {
                if v.is_some_and(|v| v < 0) {
                    return Err(format!("phase '{}': {what} must not be negative", p.name));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_build_definition_has_the_six_phases() {
        let d = Definition::builtin();
        d.validate().unwrap();
        let names: Vec<_> = d.phases.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "discovery",
                "planning",
                "coding",
                "testing",
                "review",
                "release"
            ]
        );
        assert_eq!(d.phases[2].role, "code_writer");
        assert_eq!(d.phase_index("review"), Some(4));
    }

    #[test]
    fn validation_names_the_problem() {
        let mut d = Definition::builtin();
        d.phases[1].name = "discovery".into();
        assert!(d.validate().unwrap_err().contains("appears twice"));
        d.phases.clear();
        assert!(d.validate().unwrap_err().contains("no phases"));
    }
}

//! RBAC as the API server reads it: the rules of a Role or ClusterRole, and which of their
//! tokens grant a group, resource or verb — an exact entry, or `*`.

use crate::lang::k8s::Object;
use crate::source::Node;

/// The API group of the RBAC kinds.
pub const GROUP: &str = "rbac.authorization.k8s.io";

/// Whether an object is a Role or ClusterRole of the RBAC API (a CRD named `Role` is not).
pub fn is_role(o: &Object) -> bool {
    (o.is("Role") || o.is("ClusterRole")) && o.group() == GROUP
}

/// Whether an object is a RoleBinding or ClusterRoleBinding of the RBAC API.
pub fn is_binding(o: &Object) -> bool {
    (o.is("RoleBinding") || o.is("ClusterRoleBinding")) && o.group() == GROUP
}

/// One entry of a role's `rules`.
#[derive(Debug)]
pub struct PolicyRule<'a> {
    pub node: &'a Node,
    api_groups: &'a [Node],
    resources: &'a [Node],
    verbs: &'a [Node],
    /// `resourceNames` limits the rule to named objects: the least-privilege form.
    pub named_objects: bool,
}

/// What one list of a rule grants for a wanted value.
#[derive(Debug, Clone, Copy)]
pub enum Grant<'a> {
    /// Written out: `secrets`, `get`, `pods/exec`, `*/exec`.
    Named(&'a Node),
    /// Through `*`.
    Wildcard(&'a Node),
}

impl<'a> Grant<'a> {
    pub fn node(self) -> &'a Node {
        match self {
            Grant::Named(n) | Grant::Wildcard(n) => n,
        }
    }

    pub fn is_wildcard(self) -> bool {
        matches!(self, Grant::Wildcard(_))
    }
}

/// The rules of a Role or ClusterRole (none for other objects; an aggregated ClusterRole's
/// rules are filled in by the controller from the roles it selects, which are checked
/// themselves).
pub fn rules(o: &Object) -> Vec<PolicyRule<'_>> {
    if !is_role(o) {
        return Vec::new();
    }
    o.root
        .get("rules")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter(|r| r.is_map())
        .map(|r| PolicyRule {
            node: r,
            api_groups: r.get("apiGroups").map(Node::items).unwrap_or_default(),
            resources: r.get("resources").map(Node::items).unwrap_or_default(),
            verbs: r.get("verbs").map(Node::items).unwrap_or_default(),
            named_objects: r.get("resourceNames").is_some_and(|n| !n.items().is_empty()),
        })
        .collect()
}

fn find<'a>(items: &'a [Node], matches: impl Fn(&str) -> bool) -> Option<Grant<'a>> {
    let mut wildcard = None;
    for n in items {
        match n.as_str() {
            Some("*") => wildcard = wildcard.or(Some(Grant::Wildcard(n))),
            Some(s) if matches(s) => return Some(Grant::Named(n)),
            _ => {}
        }
    }
    wildcard
}

impl<'a> PolicyRule<'a> {
    /// Whether the rule applies to API group `group` (`""` is the core group).
    pub fn group(&self, group: &str) -> Option<Grant<'a>> {
        find(self.api_groups, |g| g == group)
    }

    /// Whether the rule applies to one of `groups`.
    pub fn any_group(&self, groups: &[&str]) -> Option<Grant<'a>> {
        groups.iter().find_map(|g| self.group(g))
    }

    /// The token granting `resource` (`pods`, or a subresource `pods/exec`, which `*/exec`
    /// also grants).
    pub fn resource(&self, resource: &str) -> Option<Grant<'a>> {
        let sub = resource.split_once('/').map(|(_, s)| format!("*/{s}"));
        find(self.resources, |r| r == resource || sub.as_deref() == Some(r))
    }

    /// The token granting `verb`.
    pub fn verb(&self, verb: &str) -> Option<Grant<'a>> {
        find(self.verbs, |v| v == verb)
    }

    /// The tokens granting each of `verbs` that the rule grants, in the order asked.
    pub fn verbs_of(&self, verbs: &[&'static str]) -> Vec<(&'static str, Grant<'a>)> {
        verbs.iter().filter_map(|v| self.verb(v).map(|g| (*v, g))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{k8s, yaml};

    #[test]
    fn grants_named_and_wildcard_tokens() {
        let text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules:\n\
- apiGroups: [\"\"]\n  resources: [secrets, \"*/exec\"]\n  verbs: [get, \"*\"]\n\
- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  resourceNames: [one]\n  verbs: [list]\n";
        let m = k8s::from_stream(yaml::parse(text)).unwrap();
        let rules = rules(&m.objects[0]);
        assert_eq!(rules.len(), 2);
        assert!(matches!(rules[0].group(""), Some(Grant::Named(_))));
        assert!(rules[0].group("apps").is_none());
        assert!(matches!(rules[0].resource("secrets"), Some(Grant::Named(_))));
        assert!(matches!(rules[0].resource("pods/exec"), Some(Grant::Named(_))));
        assert!(rules[0].resource("pods").is_none());
        assert!(matches!(rules[0].verb("get"), Some(Grant::Named(_))));
        assert!(matches!(rules[0].verb("delete"), Some(Grant::Wildcard(_))));
        assert!(!rules[0].named_objects);
        assert!(rules[1].group("apps").is_some_and(Grant::is_wildcard));
        assert!(rules[1].named_objects);
        assert!(rules[1].verb("get").is_none());
    }
}

use super::module_of_block;
use crate::lang::terraform::eval::{respan, Scope};
use crate::lang::terraform::{json, TfBlock};
use crate::rules::{target, FileContext, FileRule};
use crate::source::{Node, NodeValue, Span};

const PUBLIC_ACLS: &[&str] = &["public-read", "public-read-write", "authenticated-read"];
const BLOCK_SETTINGS: &[&str] = &[
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

/// The policy document as a tree: `jsonencode({...})` evaluated (references stay unknown), or a
/// JSON string (heredoc or literal) parsed.
fn policy_document(policy: &Node, text: &str) -> Option<Node> {
    let src = policy.span.slice(text);
    let trimmed = src.trim_end();
    if let Some(inner) = trimmed.strip_prefix("jsonencode(").and_then(|r| r.strip_suffix(')')) {
        let expr = hcl_edit::parser::parse_expr(inner).ok()?;
        let doc = Scope::default().eval(&expr, inner, 0);
        return Some(shift(doc, policy.span.start + "jsonencode(".len()));
    }
    // a JSON string's offsets do not map back through escapes: point at the policy
    let NodeValue::String(s) = &policy.value else {
        return None;
    };
    json::parse(s).ok().map(|d| respan(d, policy.span))
}

/// Move every span of a tree parsed from a slice by `by` bytes.
fn shift(mut n: Node, by: usize) -> Node {
    let mv = |s: Span| Span::new(s.start + by, s.end + by);
    let mut stack: Vec<&mut Node> = vec![&mut n];
    while let Some(x) = stack.pop() {
        x.span = mv(x.span);
        match &mut x.value {
            NodeValue::Seq(items) => stack.extend(items.iter_mut()),
            NodeValue::Map(entries) => {
                for e in entries.iter_mut() {
                    e.key_span = mv(e.key_span);
                    stack.push(&mut e.value);
                }
            }
            _ => {}
        }
    }
    n
}

/// The `Principal` of every statement that allows anyone (`"*"`, `{AWS = "*"}`,
/// `{AWS = ["*", ...]}`) with no `Condition` of its own. Unknown parts never count.
fn public_statements(doc: &Node) -> Vec<Span> {
    let statements: Vec<&Node> = match doc.get("Statement") {
        Some(s) if s.is_map() => vec![s],
        Some(s) => s.items().iter().collect(),
        None => Vec::new(),
    };
    let anyone = |n: &Node| n.as_str() == Some("*");
    statements
        .into_iter()
        .filter(|st| st.get("Effect").and_then(Node::as_str) == Some("Allow"))
        .filter(|st| st.get("Condition").is_none_or(Node::is_null))
        .filter_map(|st| {
            let p = st.get("Principal")?;
            let open = anyone(p)
                || p.get("AWS")
                    .is_some_and(|aws| anyone(aws) || aws.items().iter().any(anyone));
            open.then_some(p.span)
        })
        .collect()
}

/// TF202: an S3 bucket with a public ACL, a public access block with a setting off, a bucket
/// policy granting `Principal: "*"`, or a bucket that no public access block in its module
/// covers. Native because the last two look across resources and into policy documents.
pub struct AwsS3Public;

impl FileRule for AwsS3Public {
    type Target = target::TfBlock;

    fn check(&self, b: &TfBlock, cx: &mut FileContext<'_>) {
        if b.kind != "resource" {
            return;
        }
        let text = cx.source().text.clone();
        match b.type_name() {
            "aws_s3_bucket" | "aws_s3_bucket_acl" => {
                if let Some(acl) = b.body.get("acl") {
                    if let Some(v) = acl.as_str().filter(|v| PUBLIC_ACLS.contains(v)) {
                        cx.report(acl.span, format!("bucket ACL `{v}` makes objects public"));
                    }
                }
                if b.type_name() == "aws_s3_bucket" {
                    self.check_block_exists(b, cx);
                }
            }
            "aws_s3_bucket_public_access_block" | "aws_s3_account_public_access_block" => {
                for k in BLOCK_SETTINGS {
                    let Some(v) = b.body.get(k) else {
                        cx.report(b.header, format!("`{k}` is not set; it defaults to `false`"));
                        continue;
                    };
                    if v.as_bool() == Some(false) {
                        cx.report(v.span, format!("`{k}` is `false`: the bucket can be made public"));
                    }
                }
            }
            "aws_s3_bucket_policy" => {
                let Some(policy) = b.body.get("policy") else { return };
                let Some(doc) = policy_document(policy, &text) else {
                    return;
                };
                for principal in public_statements(&doc) {
                    cx.report(principal, "bucket policy allows `Principal: \"*\"` without a condition");
                }
            }
            _ => {}
        }
    }
}

impl AwsS3Public {
    fn check_block_exists(&self, bucket: &crate::lang::terraform::TfBlock, cx: &mut FileContext<'_>) {
        let Some(m) = module_of_block(cx.project, bucket) else {
            return;
        };
        if m.broken {
            return;
        }
        let Some(name) = bucket.name() else { return };
        let own = format!("aws_s3_bucket.{name}.");
        let files = &cx.project.files;
        let mut covered = false;
        for x in m.blocks().filter(|x| x.kind == "resource") {
            match x.type_name() {
                // an account-wide block covers every bucket
                "aws_s3_account_public_access_block" => return,
                "aws_s3_bucket_public_access_block" => {
                    let Some(text) = files.get(x.file.0 as usize).map(|f| &*f.source.text) else {
                        continue;
                    };
                    let Some(b) = x.body.get("bucket") else { continue };
                    let t = b.span.slice(text);
                    if t.contains(&own) || b.as_str() == bucket.body.get("bucket").and_then(|n| n.as_str()) {
                        covered = true;
                        break;
                    }
                    // a block whose bucket we cannot resolve may be this bucket's
                    if !t.contains("aws_s3_bucket.") {
                        return;
                    }
                }
                _ => {}
            }
        }
        if !covered {
            cx.report(
                bucket.header,
                format!("bucket `{name}` has no `aws_s3_bucket_public_access_block`"),
            );
        }
    }
}

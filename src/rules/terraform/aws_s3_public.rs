use super::module_of_block;
use crate::lang::terraform::TfBlock;
use crate::rules::{target, FileContext, FileRule};

const PUBLIC_ACLS: &[&str] = &["public-read", "public-read-write", "authenticated-read"];
const BLOCK_SETTINGS: &[&str] = &[
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

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
                let src: String = policy
                    .span
                    .slice(&text)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                let open = ["\"Principal\":\"*\"", "Principal=\"*\"", "\"AWS\":\"*\"", "AWS=\"*\""]
                    .iter()
                    .any(|p| src.contains(p));
                let allow = src.contains("\"Allow\"");
                let conditioned = src.contains("Condition");
                if open && allow && !conditioned {
                    cx.report(
                        policy.span,
                        "bucket policy allows `Principal: \"*\"` without a condition",
                    );
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

use crate::lang::openapi::Document;
use crate::rules::{target, FileContext, FileRule};
use crate::source::Node;

pub struct EndpointHttp;

impl FileRule for EndpointHttp {
    type Target = target::OpenApiDocument;

    fn check(&self, doc: &Document, cx: &mut FileContext<'_>) {
        let mut urls: Vec<&Node> = doc.root.select("servers[*].url");
        // WSO2 production endpoints: document, path and operation level
        let mut holders = vec![&doc.root];
        for item in doc.root.get("paths").map(|p| p.entries()).unwrap_or_default() {
            holders.push(&item.value);
            holders.extend(item.value.entries().iter().map(|e| &e.value));
        }
        for h in holders {
            urls.extend(h.select("x-wso2-production-endpoints.urls[*]"));
        }
        for u in urls {
            let Some(url) = u.as_str() else { continue };
            if let Some(host) = super::http_host(url) {
                if !super::is_cluster_host(host) {
                    cx.report(u.span, format!("endpoint `{url}` uses plain HTTP outside the cluster"));
                }
            }
        }
        // Swagger 2: `schemes: [http]` with a public `host`
        if let Some(host) = doc.root.get("host").and_then(|h| h.as_str()) {
            if !super::is_cluster_host(host) {
                for s in doc.root.select("schemes[*]") {
                    if s.as_str() == Some("http") {
                        cx.report(s.span, format!("API on `{host}` is served over plain HTTP"));
                    }
                }
            }
        }
    }
}

//! Docker Compose rules (DC): one native rule per file, reading services through
//! `lang::compose` (merge keys folded in) and the shared concepts (ports, images, secrets).
//! Several rules of the family are declarative (`target: compose.service`).

pub mod dangerous_capability;
pub mod docker_socket_mounted;
pub mod published_port_not_allowed;
pub mod secret_in_environment;
pub mod service_image_latest;

//! `--start-job`: each import file through Cognito's user import job. The job is
//! created (with the CloudWatch Logs role the template provides), the file uploaded to
//! its pre-signed URL with `x-amz-server-side-encryption: aws:kms` within the URL's 15
//! minutes, the job started and followed until it ends, and its log stream read, so
//! that each `[FAILED]` or `[SKIPPED] Line Number N` is told by its line in the legacy
//! file.

use std::fs::File;
use std::time::{Duration, Instant};

use aws_sdk_cloudwatchlogs::error::DisplayErrorContext as LogsError;
use aws_sdk_cognitoidentityprovider::error::DisplayErrorContext as IdpError;
use aws_sdk_cognitoidentityprovider::types::UserImportJobStatusType as Status;

use crate::cognito_csv::Part;

/// The pre-signed URL's life, from the job's creation.
const URL_LIFE: Duration = Duration::from_secs(15 * 60);

/// Where a job runs.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub cognito: &'a aws_sdk_cognitoidentityprovider::Client,
    pub logs: &'a aws_sdk_cloudwatchlogs::Client,
    pub pool_id: &'a str,
    /// The pool's name: Cognito logs a job under /aws/cognito/userpools/ID/NAME.
    pub pool_name: &'a str,
    pub role_arn: &'a str,
    /// How often the job is asked how far it is.
    pub poll: Duration,
}

/// One user the job did not import, by the legacy file's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotImported {
    pub legacy_line: Option<u64>,
    pub file_line: u64,
    /// `FAILED` or `SKIPPED`.
    pub outcome: String,
    pub reason: String,
}

/// What a job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobReport {
    pub job_id: String,
    pub status: String,
    pub message: Option<String>,
    pub imported: i64,
    pub skipped: i64,
    pub failed: i64,
    pub not_imported: Vec<NotImported>,
}

/// Runs the job of one import file; `progress(users done)` as it goes.
pub async fn run(
    target: &Target<'_>,
    part: &Part,
    job_name: &str,
    mut progress: impl FnMut(u64),
) -> Result<JobReport, String> {
    let created = Instant::now();
    let job = target
        .cognito
        .create_user_import_job()
        .user_pool_id(target.pool_id)
        .job_name(job_name)
        .cloud_watch_logs_role_arn(target.role_arn)
        .send()
        .await
        .map_err(|e| format!("CreateUserImportJob: {}", IdpError(&e)))?
        .user_import_job
        .ok_or("CreateUserImportJob: no job in the answer")?;
    let job_id = job.job_id.ok_or("CreateUserImportJob: no job id")?;
    let url = job
        .pre_signed_url
        .ok_or("CreateUserImportJob: no pre-signed URL")?;
    let left = URL_LIFE.saturating_sub(created.elapsed());
    upload(&url, part, left).await?;
    target
        .cognito
        .start_user_import_job()
        .user_pool_id(target.pool_id)
        .job_id(&job_id)
        .send()
        .await
        .map_err(|e| format!("StartUserImportJob: {}", IdpError(&e)))?;
    let job = loop {
        tokio::time::sleep(target.poll).await;
        let job = target
            .cognito
            .describe_user_import_job()
            .user_pool_id(target.pool_id)
            .job_id(&job_id)
            .send()
            .await
            .map_err(|e| format!("DescribeUserImportJob: {}", IdpError(&e)))?
            .user_import_job
            .ok_or("DescribeUserImportJob: no job in the answer")?;
        let done = job.imported_users + job.skipped_users + job.failed_users;
        progress(u64::try_from(done).unwrap_or(0));
        let ended = matches!(
            job.status,
            Some(Status::Succeeded | Status::Failed | Status::Stopped | Status::Expired)
        );
        if ended {
            break job;
        }
    };
    let not_imported = results(target, &job_id, job_name, part).await?;
    Ok(JobReport {
        job_id,
        status: job
            .status
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        message: job.completion_message,
        imported: job.imported_users,
        skipped: job.skipped_users,
        failed: job.failed_users,
        not_imported,
    })
}

/// PUTs the file to the job's pre-signed URL (streamed from disk), within `left`.
async fn upload(url: &str, part: &Part, left: Duration) -> Result<(), String> {
    let (url, path) = (url.to_owned(), part.path.clone());
    tokio::task::spawn_blocking(move || {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(std::sync::Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .build();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .timeout_global(Some(left))
            .http_status_as_error(false)
            .build()
            .into();
        let mut file =
            File::open(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let response = agent
            .put(&url)
            .header("x-amz-server-side-encryption", "aws:kms")
            .header("Content-Type", "text/csv")
            .header("Content-Length", size.to_string())
            .send(ureq::SendBody::from_reader(&mut file))
            .map_err(|e| format!("upload of {}: {e}", path.display()))?;
        match response.status().as_u16() {
            200..=299 => Ok(()),
            status => Err(format!(
                "upload of {}: HTTP {status} (the pre-signed URL refused it)",
                path.display()
            )),
        }
    })
    .await
    .map_err(|e| format!("upload: {e}"))?
}

/// The job's log lines for users it did not import, mapped to legacy lines.
async fn results(
    target: &Target<'_>,
    job_id: &str,
    job_name: &str,
    part: &Part,
) -> Result<Vec<NotImported>, String> {
    let group = format!(
        "/aws/cognito/userpools/{}/{}",
        target.pool_id, target.pool_name
    );
    let stream = format!("{job_id}/{job_name}");
    let mut token: Option<String> = None;
    let mut found = Vec::new();
    loop {
        let page = target
            .logs
            .get_log_events()
            .log_group_name(&group)
            .log_stream_name(&stream)
            .start_from_head(true)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| format!("the job's log {group} {stream}: {}", LogsError(&e)))?;
        for event in page.events() {
            if let Some(line) = event.message().and_then(|m| parse(m, part)) {
                found.push(line);
            }
        }
        // The last page repeats its token.
        if page.events().is_empty() || page.next_forward_token == token {
            return Ok(found);
        }
        token = page.next_forward_token;
    }
}

/// `[FAILED] Line Number 5956 - The user data doesn't match the schema.`
fn parse(message: &str, part: &Part) -> Option<NotImported> {
    let (outcome, rest) = message.strip_prefix('[')?.split_once("] Line Number ")?;
    if outcome == "SUCCEEDED" {
        return None;
    }
    let (number, reason) = rest.split_once(" - ").unwrap_or((rest, ""));
    let file_line: u64 = number.trim().parse().ok()?;
    Some(NotImported {
        legacy_line: part.lines.legacy_line(file_line),
        file_line,
        outcome: outcome.to_owned(),
        reason: reason.trim().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cognito_csv::{Limits, Parts};

    #[test]
    fn log_lines_map_to_legacy_lines() {
        let dir = std::env::temp_dir().join(format!("import-job-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut parts = Parts::new(&dir.join("import.csv"), "h".into(), Limits::default());
        for legacy in [2, 3, 5, 6] {
            parts.write(legacy, "row").unwrap();
        }
        let part = parts.finish().unwrap().remove(0);
        let failed = parse(
            "[FAILED] Line Number 4 - The user data doesn't match the schema.",
            &part,
        );
        assert_eq!(
            failed,
            Some(NotImported {
                legacy_line: Some(5),
                file_line: 4,
                outcome: "FAILED".into(),
                reason: "The user data doesn't match the schema.".into(),
            })
        );
        let skipped = parse("[SKIPPED] Line Number 2 - The user already exists.", &part).unwrap();
        assert_eq!(
            (skipped.legacy_line, skipped.outcome.as_str()),
            (Some(2), "SKIPPED")
        );
        assert_eq!(
            parse("[SUCCEEDED] Line Number 3 - The import succeeded.", &part),
            None
        );
        assert_eq!(parse("something else", &part), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

// Which resource types cost money and can carry tags. Our own list of the common services; beyond it,
// any resource type that sets tags or labels anywhere in the repository is counted too.

/** Terraform resource types (AWS `tags`, Google `labels`, Azure `tags`). */
export const TERRAFORM_COST_TYPES: readonly string[] = [
  // AWS compute
  'aws_instance', 'aws_spot_instance_request', 'aws_launch_template', 'aws_autoscaling_group', 'aws_ecs_cluster', 'aws_ecs_service',
  'aws_ecs_task_definition', 'aws_eks_cluster', 'aws_eks_node_group', 'aws_eks_fargate_profile', 'aws_lambda_function', 'aws_batch_compute_environment',
  'aws_emr_cluster', 'aws_lightsail_instance', 'aws_apprunner_service', 'aws_elastic_beanstalk_environment',
  // AWS data
  'aws_db_instance', 'aws_rds_cluster', 'aws_rds_cluster_instance', 'aws_dynamodb_table', 'aws_elasticache_cluster', 'aws_elasticache_replication_group',
  'aws_elasticache_serverless_cache', 'aws_redshift_cluster', 'aws_redshiftserverless_workgroup', 'aws_docdb_cluster', 'aws_neptune_cluster',
  'aws_opensearch_domain', 'aws_elasticsearch_domain', 'aws_msk_cluster', 'aws_msk_serverless_cluster', 'aws_kinesis_stream', 'aws_kinesis_firehose_delivery_stream',
  'aws_mq_broker', 'aws_memorydb_cluster', 'aws_timestreamwrite_database', 'aws_glue_job', 'aws_athena_workgroup',
  // AWS storage
  'aws_s3_bucket', 'aws_ebs_volume', 'aws_efs_file_system', 'aws_fsx_lustre_file_system', 'aws_fsx_windows_file_system', 'aws_backup_vault', 'aws_ecr_repository',
  // AWS network and edge
  'aws_nat_gateway', 'aws_lb', 'aws_alb', 'aws_elb', 'aws_eip', 'aws_vpc_endpoint', 'aws_ec2_transit_gateway', 'aws_vpn_connection', 'aws_cloudfront_distribution',
  'aws_globalaccelerator_accelerator', 'aws_networkfirewall_firewall', 'aws_api_gateway_rest_api', 'aws_apigatewayv2_api', 'aws_wafv2_web_acl',
  // AWS messaging, ML, observability
  'aws_sqs_queue', 'aws_sns_topic', 'aws_sfn_state_machine', 'aws_sagemaker_endpoint', 'aws_sagemaker_notebook_instance', 'aws_cloudwatch_log_group',
  'aws_kms_key', 'aws_secretsmanager_secret',
  // Google (BigQuery tables are attributed through their dataset, whose labels teams set)
  'google_compute_instance', 'google_compute_instance_template', 'google_compute_disk', 'google_compute_address', 'google_compute_forwarding_rule',
  'google_container_cluster', 'google_container_node_pool', 'google_sql_database_instance', 'google_storage_bucket', 'google_bigquery_dataset',
  'google_cloud_run_service', 'google_cloud_run_v2_service', 'google_cloudfunctions_function', 'google_cloudfunctions2_function', 'google_redis_instance',
  'google_pubsub_topic', 'google_pubsub_subscription', 'google_spanner_instance', 'google_bigtable_instance', 'google_dataproc_cluster', 'google_filestore_instance',
  'google_alloydb_cluster', 'google_memcache_instance', 'google_composer_environment', 'google_vertex_ai_endpoint',
  // Azure
  'azurerm_linux_virtual_machine', 'azurerm_windows_virtual_machine', 'azurerm_virtual_machine', 'azurerm_linux_virtual_machine_scale_set',
  'azurerm_windows_virtual_machine_scale_set', 'azurerm_kubernetes_cluster', 'azurerm_kubernetes_cluster_node_pool', 'azurerm_storage_account',
  'azurerm_mssql_server', 'azurerm_mssql_database', 'azurerm_postgresql_flexible_server', 'azurerm_mysql_flexible_server', 'azurerm_cosmosdb_account',
  'azurerm_redis_cache', 'azurerm_app_service_plan', 'azurerm_service_plan', 'azurerm_linux_web_app', 'azurerm_windows_web_app', 'azurerm_linux_function_app',
  'azurerm_windows_function_app', 'azurerm_container_app', 'azurerm_container_registry', 'azurerm_public_ip', 'azurerm_nat_gateway', 'azurerm_lb',
  'azurerm_application_gateway', 'azurerm_firewall', 'azurerm_managed_disk', 'azurerm_eventhub_namespace', 'azurerm_servicebus_namespace',
  'azurerm_log_analytics_workspace', 'azurerm_data_factory', 'azurerm_databricks_workspace', 'azurerm_cognitive_account',
];

export type Cloud = 'aws' | 'google' | 'azurerm';

export function cloudOf(type: string): Cloud | undefined {
  if (type.startsWith('aws_')) return 'aws';
  if (type.startsWith('google_')) return 'google';
  if (type.startsWith('azurerm_')) return 'azurerm';
  return undefined;
}

/**
 * Where a Terraform resource type keeps its tags: the attribute path inside the resource block.
 * AWS and Azure use `tags`, Google `labels`, with these exceptions.
 */
export function tagPath(type: string): string[] {
  const special: Record<string, string[]> = {
    google_container_cluster: ['resource_labels'],
    google_container_node_pool: ['node_config', 'resource_labels'],
    google_sql_database_instance: ['settings', 'user_labels'],
    google_compute_instance_template: ['labels'],
  };
  if (Object.hasOwn(special, type)) return special[type]!;
  return cloudOf(type) === 'google' ? ['labels'] : ['tags'];
}

/** CloudFormation and SAM resource types that cost money and take tags. */
export const CLOUDFORMATION_COST_TYPES: readonly string[] = [
  'AWS::EC2::Instance', 'AWS::EC2::Volume', 'AWS::EC2::NatGateway', 'AWS::EC2::EIP', 'AWS::EC2::VPCEndpoint', 'AWS::EC2::TransitGateway', 'AWS::EC2::LaunchTemplate',
  'AWS::AutoScaling::AutoScalingGroup', 'AWS::ECS::Cluster', 'AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::EKS::Cluster', 'AWS::EKS::Nodegroup',
  'AWS::Lambda::Function', 'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable', 'AWS::ElastiCache::CacheCluster',
  'AWS::ElastiCache::ReplicationGroup', 'AWS::Redshift::Cluster', 'AWS::DocDB::DBCluster', 'AWS::Neptune::DBCluster', 'AWS::OpenSearchService::Domain',
  'AWS::Elasticsearch::Domain', 'AWS::MSK::Cluster', 'AWS::Kinesis::Stream', 'AWS::KinesisFirehose::DeliveryStream', 'AWS::S3::Bucket', 'AWS::EFS::FileSystem',
  'AWS::ECR::Repository', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ElasticLoadBalancing::LoadBalancer', 'AWS::CloudFront::Distribution',
  'AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::StepFunctions::StateMachine', 'AWS::SageMaker::Endpoint',
  'AWS::SageMaker::NotebookInstance', 'AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Batch::ComputeEnvironment', 'AWS::EMR::Cluster',
  'AWS::AmazonMQ::Broker', 'AWS::MemoryDB::Cluster', 'AWS::Glue::Job',
  'AWS::Serverless::Function', 'AWS::Serverless::Api', 'AWS::Serverless::HttpApi', 'AWS::Serverless::SimpleTable', 'AWS::Serverless::StateMachine',
];

/** The property that holds a CloudFormation resource's tags, when it is not `Tags`. */
export function cloudFormationTagProperty(type: string): string {
  if (type === 'AWS::EFS::FileSystem') return 'FileSystemTags';
  return 'Tags';
}

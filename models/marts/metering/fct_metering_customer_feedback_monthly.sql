-- one row per month and customer home region with at least one survey response or complaint
-- received or resolved
with

survey_responses as (
    select * from {{ ref('stg_customer_feedback__survey_responses') }}
),

complaints as (
    select * from {{ ref('stg_customer_feedback__complaints') }}
),

customers as (
    select * from {{ ref('dim_metering_customers') }}
),

feedback_events as (
    select
        survey_responses.customer_id,
        {{ month_start('survey_responses.responded_at') }} as feedback_month,
        1 as survey_responses,
        survey_responses.satisfaction_score,
        0 as complaints_received,
        0 as complaints_resolved
    from survey_responses
    where {{ to_date('survey_responses.responded_at') }} <= {{ as_of_date() }}

    union all

    select
        complaints.customer_id,
        {{ month_start('complaints.received_at') }} as feedback_month,
        0 as survey_responses,
        null as satisfaction_score,
        1 as complaints_received,
        0 as complaints_resolved
    from complaints
    where {{ to_date('complaints.received_at') }} <= {{ as_of_date() }}

    union all

    select
        complaints.customer_id,
        {{ month_start('complaints.resolved_at') }} as feedback_month,
        0 as survey_responses,
        null as satisfaction_score,
        0 as complaints_received,
        1 as complaints_resolved
    from complaints
    where
        complaints.resolved_at is not null
        and {{ to_date('complaints.resolved_at') }} <= {{ as_of_date() }}
),

aggregated as (
    select
        feedback_events.feedback_month,
        customers.region,
        sum(feedback_events.survey_responses) as survey_responses,
        sum(coalesce(feedback_events.satisfaction_score, 0)) as satisfaction_score_total,
        sum(feedback_events.complaints_received) as complaints_received,
        sum(feedback_events.complaints_resolved) as complaints_resolved
    from feedback_events
    left join customers
        on feedback_events.customer_id = customers.customer_id
    group by
        feedback_events.feedback_month,
        customers.region
),

final as (
    select
        {{ surrogate_key(['feedback_month', 'region']) }} as customer_feedback_monthly_id,
        feedback_month,
        region,
        cast(survey_responses as {{ dbt.type_bigint() }}) as survey_responses,
        cast(satisfaction_score_total as {{ dbt.type_bigint() }}) as satisfaction_score_total,
        {{ operations_average('satisfaction_score_total', 'survey_responses') }}
            as average_satisfaction_score,
        cast(complaints_received as {{ dbt.type_bigint() }}) as complaints_received,
        cast(complaints_resolved as {{ dbt.type_bigint() }}) as complaints_resolved
    from aggregated
)

select * from final

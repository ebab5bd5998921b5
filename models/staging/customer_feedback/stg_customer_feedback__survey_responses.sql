-- one row per survey response
with

source as (
    select * from {{ source('customer_feedback', 'survey_response') }}
),

renamed as (
    select
        response_id as survey_response_id,
        customer_id,
        responded_at,
        satisfaction_score,
        channel
    from source
)

select * from renamed

-- one row per account, meter point, meter, register, read date and read source
-- The source spells these columns in mixed case (Read_Date, ...); renaming them to lower case
-- is the whole point of this model, which AL09 reads as a self alias.
-- noqa: disable=AL09
with

source as (
    select * from {{ source('soe_junifer_model', 'w_actual_meterreads') }}
),

renamed as (
    select
        {{ surrogate_key([
            'Account_Number', 'MPXN', 'MSN', 'Register', 'Read_Date', 'Read_Source'
        ]) }} as actual_read_id,
        Account_Number as account_number,
        MPXN as mpxn,
        MSN as msn,
        Register as register,
        Read_Date as read_date,
        Read_Source as read_source,
        Reading as reading,
        Consumption as consumption_kwh,
        Status as read_status,
        meta_loaded_at as loaded_at
    from source
)

select * from renamed

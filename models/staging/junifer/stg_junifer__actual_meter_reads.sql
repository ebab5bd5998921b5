-- one row per account, meter point, meter, register, read date and read source
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

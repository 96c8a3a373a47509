// The four legacy XML bodies of Tests/Fixtures/corpus (see SOURCES.md there), byte-exact, for
// `connect-bench micro --only xml`: the benchmark verifies each copy's length and FNV-1a hash
// before timing it, so an edit to either side is caught. Generated from the corpus files.

/// (file name, body, length, FNV-1a 64 of the bytes)
let xmlCorpusBodies: [(name: String, body: String, length: Int, fnv: UInt64)] = [
    ("legacy-xml-envelope-completed.connect-node-listener-aws.xml", #"""
<?xml version="1.0" encoding="UTF-8"?>
<DocuSignEnvelopeInformation xmlns="http://www.docusign.net/API/3.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
   <EnvelopeStatus>
      <RecipientStatuses>
         <RecipientStatus>
            <Type>Signer</Type>
            <Email>larry.kluger@example.com</Email>
            <UserName>Larry Kluger</UserName>
            <RoutingOrder>1</RoutingOrder>
            <Sent>2020-03-28T23:56:33.873</Sent>
            <Delivered>2020-03-28T23:56:46.887</Delivered>
            <Signed>2020-03-28T23:56:54.043</Signed>
            <DeclineReason xsi:nil="true" />
            <Status>Completed</Status>
            <RecipientIPAddress>141.226.162.37</RecipientIPAddress>
            <ClientUserId>1000</ClientUserId>
            <CustomFields />
            <TabStatuses>
               <TabStatus>
                  <TabType>SignHere</TabType>
                  <Status>Signed</Status>
                  <XPosition>427</XPosition>
                  <YPosition>321</YPosition>
                  <TabLabel>Sign Here</TabLabel>
                  <TabName>SignHere</TabName>
                  <TabValue />
                  <DocumentID>3</DocumentID>
                  <PageNumber>1</PageNumber>
               </TabStatus>
            </TabStatuses>
            <AccountStatus>Active</AccountStatus>
            <RecipientId>994d45c0-3d06-4174-9d53-70d15683c0e2</RecipientId>
         </RecipientStatus>
         <RecipientStatus>
            <Type>CarbonCopy</Type>
            <Email>larry.kluger@example.com</Email>
            <UserName>Larry Kluger</UserName>
            <RoutingOrder>2</RoutingOrder>
            <Sent>2020-03-28T23:56:54.53</Sent>
            <DeclineReason xsi:nil="true" />
            <Status>Completed</Status>
            <RecipientIPAddress />
            <CustomFields />
            <AccountStatus>Active</AccountStatus>
            <RecipientId>4e569d35-e07b-4917-8458-cad6e3eb9f50</RecipientId>
         </RecipientStatus>
      </RecipientStatuses>
      <TimeGenerated>2020-03-28T23:57:15.1085476</TimeGenerated>
      <EnvelopeID>08740f95-2187-4b01-9a69-452ae3140752</EnvelopeID>
      <Subject>Please sign this document</Subject>
      <UserName>Larry Kluger</UserName>
      <Email>larry@example.us</Email>
      <Status>Completed</Status>
      <Created>2020-03-28T23:56:33.343</Created>
      <Sent>2020-03-28T23:56:54.59</Sent>
      <Delivered>2020-03-28T23:56:54.59</Delivered>
      <Signed>2020-03-28T23:56:54.59</Signed>
      <Completed>2020-03-28T23:56:54.59</Completed>
      <ACStatus>Original</ACStatus>
      <ACStatusDate>2020-03-28T23:56:33.343</ACStatusDate>
      <ACHolder>Larry Kluger</ACHolder>
      <ACHolderEmail>larry@example.us</ACHolderEmail>
      <ACHolderLocation>DocuSign</ACHolderLocation>
      <SigningLocation>Online</SigningLocation>
      <SenderIPAddress>141.226.162.37</SenderIPAddress>
      <EnvelopePDFHash />
      <CustomFields>
         <CustomField>
            <Name>AccountId</Name>
            <Show>false</Show>
            <Required>false</Required>
            <Value>4197223</Value>
            <CustomFieldType>Text</CustomFieldType>
         </CustomField>
         <CustomField>
            <Name>AccountName</Name>
            <Show>false</Show>
            <Required>false</Required>
            <Value>World Wide Corp</Value>
            <CustomFieldType>Text</CustomFieldType>
         </CustomField>
         <CustomField>
            <Name>AccountSite</Name>
            <Show>false</Show>
            <Required>false</Required>
            <Value>demo</Value>
            <CustomFieldType>Text</CustomFieldType>
         </CustomField>
      </CustomFields>
      <AutoNavigation>true</AutoNavigation>
      <EnvelopeIdStamping>true</EnvelopeIdStamping>
      <AuthoritativeCopy>false</AuthoritativeCopy>
      <DocumentStatuses>
         <DocumentStatus>
            <ID>3</ID>
            <Name>Lorem Ipsum</Name>
            <TemplateName />
            <Sequence>1</Sequence>
         </DocumentStatus>
      </DocumentStatuses>
   </EnvelopeStatus>
   <TimeZone>Pacific Standard Time</TimeZone>
   <TimeZoneOffset>-7</TimeZoneOffset>
</DocuSignEnvelopeInformation>
"""#, 4266, 0x4DF6F660ACE9B170),
    ("legacy-xml-envelope-sent.connect-node-listener-aws.xml", #"""
<?xml version="1.0" encoding="UTF-8"?>
<DocuSignEnvelopeInformation xmlns="http://www.docusign.net/API/3.0" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
   <EnvelopeStatus>
      <RecipientStatuses>
         <RecipientStatus>
            <Type>Signer</Type>
            <Email>larry.kluger@example.com</Email>
            <UserName>Larry Kluger</UserName>
            <RoutingOrder>1</RoutingOrder>
            <Sent>2020-03-28T23:56:33.873</Sent>
            <DeclineReason xsi:nil="true" />
            <Status>Sent</Status>
            <RecipientIPAddress>100.100.100.1</RecipientIPAddress>
            <ClientUserId>1000</ClientUserId>
            <CustomFields />
            <TabStatuses>
               <TabStatus>
                  <TabType>SignHere</TabType>
                  <Status>Signed</Status>
                  <XPosition>427</XPosition>
                  <YPosition>321</YPosition>
                  <TabLabel>Sign Here</TabLabel>
                  <TabName>SignHere</TabName>
                  <TabValue />
                  <DocumentID>3</DocumentID>
                  <PageNumber>1</PageNumber>
               </TabStatus>
            </TabStatuses>
            <AccountStatus>Active</AccountStatus>
            <RecipientId>994d45c0-3d06-4174-1111-111111111111</RecipientId>
         </RecipientStatus>
         <RecipientStatus>
            <Type>CarbonCopy</Type>
            <Email>larry.kluger@example.com</Email>
            <UserName>Larry Kluger</UserName>
            <RoutingOrder>2</RoutingOrder>
            <DeclineReason xsi:nil="true" />
            <Status>Created</Status>
            <RecipientIPAddress />
            <CustomFields />
            <AccountStatus>Active</AccountStatus>
            <RecipientId>4e569d35-e07b-4917-1111-111111111111</RecipientId>
         </RecipientStatus>
      </RecipientStatuses>
      <TimeGenerated>2020-03-28T23:56:53.9678325</TimeGenerated>
      <EnvelopeID>08740f95-2187-4b01-9a69-111111111111</EnvelopeID>
      <Subject>Please sign this document</Subject>
      <UserName>Larry Kluger</UserName>
      <Email>larry@example.us</Email>
      <Status>Sent</Status>
      <Created>2020-03-28T23:56:33.343</Created>
      <Sent>2020-03-28T23:56:33.89</Sent>
      <ACStatus>Original</ACStatus>
      <ACStatusDate>2020-03-28T23:56:33.343</ACStatusDate>
      <ACHolder>Larry Kluger</ACHolder>
      <ACHolderEmail>larry@example.us</ACHolderEmail>
      <ACHolderLocation>DocuSign</ACHolderLocation>
      <SigningLocation>Online</SigningLocation>
      <SenderIPAddress>111.111.111.11</SenderIPAddress>
      <EnvelopePDFHash />
      <CustomFields>
         <CustomField>
            <Name>AccountId</Name>
            <Show>false</Show>
            <Required>false</Required>
            <Value>4197223</Value>
            <CustomFieldType>Text</CustomFieldType>
         </CustomField>
         <CustomField>
            <Name>AccountName</Name>
            <Show>false</Show>
            <Required>false</Required>
            <Value>World Wide Corp</Value>
            <CustomFieldType>Text</CustomFieldType>
         </CustomField>
         <CustomField>
            <Name>AccountSite</Name>
            <Show>false</Show>
            <Required>false</Required>
            <Value>demo</Value>
            <CustomFieldType>Text</CustomFieldType>
         </CustomField>
      </CustomFields>
      <AutoNavigation>true</AutoNavigation>
      <EnvelopeIdStamping>true</EnvelopeIdStamping>
      <AuthoritativeCopy>false</AuthoritativeCopy>
      <DocumentStatuses>
         <DocumentStatus>
            <ID>3</ID>
            <Name>Lorem Ipsum</Name>
            <TemplateName />
            <Sequence>1</Sequence>
         </DocumentStatus>
      </DocumentStatuses>
   </EnvelopeStatus>
   <TimeZone>Pacific Standard Time</TimeZone>
   <TimeZoneOffset>-7</TimeZoneOffset>
</DocuSignEnvelopeInformation>

"""#, 3944, 0x3CC3C5BD04B4DC39),
    ("legacy-xml-envelope-completed.formdata.easycla.xml", #"""
<?xml version="1.0" encoding="utf-8"?>
<DocuSignEnvelopeInformation xmlns:xsd="http://www.w3.org/2001/XMLSchema"
                             xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                             xmlns="http://www.docusign.net/API/3.0">
    <EnvelopeStatus>
        <RecipientStatuses>
            <RecipientStatus>
                <Type>Signer</Type>
                <Email>example@example.org</Email>
                <UserName>Unknown</UserName>
                <RoutingOrder>1</RoutingOrder>
                <Sent>2020-12-21T08:29:09.947</Sent>
                <Delivered>2020-12-21T08:29:20.527</Delivered>
                <Signed>2020-12-21T08:30:10.133</Signed>
                <DeclineReason xsi:nil="true"/>
                <Status>Completed</Status>
                <RecipientIPAddress>95.87.31.3</RecipientIPAddress>
                <ClientUserId>9da896e1-c44a-4304-900f-933f27018a27</ClientUserId>
                <CustomFields/>
                <TabStatuses>
                    <TabStatus>
                        <TabType>SignHere</TabType>
                        <Status>Signed</Status>
                        <XPosition>233</XPosition>
                        <YPosition>22</YPosition>
                        <TabLabel>sign</TabLabel>
                        <TabName>Please Sign</TabName>
                        <TabValue/>
                        <DocumentID>22317</DocumentID>
                        <PageNumber>3</PageNumber>
                    </TabStatus>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>218</XPosition>
                        <YPosition>166</YPosition>
                        <TabLabel>full_name</TabLabel>
                        <TabName>Full Name</TabName>
                        <TabValue>Example FullName</TabValue>
                        <DocumentID>22317</DocumentID>
                        <PageNumber>3</PageNumber>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>210</XPosition>
                        <YPosition>400</YPosition>
                        <TabLabel>country</TabLabel>
                        <TabName>Country</TabName>
                        <TabValue>Bulgaria</TabValue>
                        <DocumentID>22317</DocumentID>
                        <PageNumber>3</PageNumber>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>195</XPosition>
                        <YPosition>456</YPosition>
                        <TabLabel>email</TabLabel>
                        <TabName>Email</TabName>
                        <TabValue>example@example.com</TabValue>
                        <DocumentID>22317</DocumentID>
                        <PageNumber>3</PageNumber>
                        <OriginalValue>example@example.org</OriginalValue>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>DateSigned</TabType>
                        <Status>Signed</Status>
                        <XPosition>735</XPosition>
                        <YPosition>110</YPosition>
                        <TabLabel>date</TabLabel>
                        <TabName>Date</TabName>
                        <TabValue>12/21/2020</TabValue>
                        <DocumentID>22317</DocumentID>
                        <PageNumber>3</PageNumber>
                    </TabStatus>
                </TabStatuses>
                <RecipientAttachment>
                    <Attachment>
                        <Data>
                            PEZvcm1EYXRhPjx4ZmRmPjxmaWVsZHM+PGZpZWxkIG5hbWU9ImZ1bGxfbmFtZSI+PHZhbHVlPkRlbmlzIEs8L3ZhbHVlPjwvZmllbGQ+PGZpZWxkIG5hbWU9Im1haWxpbmdfYWRkcmVzczEiPjx2YWx1ZT5NaXIgOTwvdmFsdWU+PC9maWVsZD48ZmllbGQgbmFtZT0ibWFpbGluZ19hZGRyZXNzMiI+PHZhbHVlPlNoZXlub3ZvPC92YWx1ZT48L2ZpZWxkPjxmaWVsZCBuYW1lPSJtYWlsaW5nX2FkZHJlc3MzIj48dmFsdWU+S2F6YW5sYWs8L3ZhbHVlPjwvZmllbGQ+PGZpZWxkIG5hbWU9ImNvdW50cnkiPjx2YWx1ZT5CdWxnYXJpYTwvdmFsdWU+PC9maWVsZD48ZmllbGQgbmFtZT0iZW1haWwiPjx2YWx1ZT5tYWtrYWxvdEBnbWFpbC5jb208L3ZhbHVlPjwvZmllbGQ+PGZpZWxkIG5hbWU9IkRhdGVTaWduZWQiPjx2YWx1ZT4xMi8yMS8yMDIwPC92YWx1ZT48L2ZpZWxkPjwvZmllbGRzPjwveGZkZj48L0Zvcm1EYXRhPg==
                        </Data>
                        <Label>DSXForm</Label>
                    </Attachment>
                </RecipientAttachment>
                <AccountStatus>Active</AccountStatus>
                <EsignAgreementInformation>
                    <AccountEsignId>f78e337a-a9c7-47e6-bc20-6f75a84706ba</AccountEsignId>
                    <UserEsignId>81225123-b7a0-4650-afd4-2e27d8017e8b</UserEsignId>
                    <AgreementDate>2020-12-21T08:29:20.51</AgreementDate>
                </EsignAgreementInformation>
                <FormData>
                    <xfdf>
                        <fields>
                            <field name="full_name">
                                <value>Example FullName</value>
                            </field>
                            <field name="country">
                                <value>Bulgaria</value>
                            </field>
                            <field name="email">
                                <value>example@example.com</value>
                            </field>
                            <field name="DateSigned">
                                <value>12/21/2020</value>
                            </field>
                        </fields>
                    </xfdf>
                </FormData>
                <RecipientId>34dc5447-2f10-4334-8fea-f94b500e7202</RecipientId>
            </RecipientStatus>
        </RecipientStatuses>
        <TimeGenerated>2020-12-21T08:30:37.9661043</TimeGenerated>
        <EnvelopeID>c5c02f0b-d66b-4ad5-950d-0319ed3e1473</EnvelopeID>
        <Subject>EasyCLA: CLA Signature Request for aswf-signatory-name-test</Subject>
        <UserName>Example FullName</UserName>
        <Email>example@example.com</Email>
        <Status>Completed</Status>
        <Created>2020-12-21T08:29:09.383</Created>
        <Sent>2020-12-21T08:29:09.977</Sent>
        <Delivered>2020-12-21T08:29:20.793</Delivered>
        <Signed>2020-12-21T08:30:10.133</Signed>
        <Completed>2020-12-21T08:30:10.133</Completed>
        <ACStatus>Original</ACStatus>
        <ACStatusDate>2020-12-21T08:29:09.383</ACStatusDate>
        <ACHolder>Example FullName</ACHolder>
        <ACHolderEmail>example@example.com</ACHolderEmail>
        <ACHolderLocation>DocuSign</ACHolderLocation>
        <SigningLocation>Online</SigningLocation>
        <SenderIPAddress>54.80.186.114</SenderIPAddress>
        <EnvelopePDFHash/>
        <CustomFields>
            <CustomField>
                <Name>AccountId</Name>
                <Show>false</Show>
                <Required>false</Required>
                <Value>10406522</Value>
                <CustomFieldType>Text</CustomFieldType>
            </CustomField>
            <CustomField>
                <Name>AccountName</Name>
                <Show>false</Show>
                <Required>false</Required>
                <Value>Linux Foundation</Value>
                <CustomFieldType>Text</CustomFieldType>
            </CustomField>
            <CustomField>
                <Name>AccountSite</Name>
                <Show>false</Show>
                <Required>false</Required>
                <Value>demo</Value>
                <CustomFieldType>Text</CustomFieldType>
            </CustomField>
        </CustomFields>
        <AutoNavigation>true</AutoNavigation>
        <EnvelopeIdStamping>true</EnvelopeIdStamping>
        <AuthoritativeCopy>false</AuthoritativeCopy>
        <DocumentStatuses>
            <DocumentStatus>
                <ID>22317</ID>
                <Name>ASWF 2020 v2.1</Name>
                <TemplateName/>
                <Sequence>1</Sequence>
            </DocumentStatus>
        </DocumentStatuses>
    </EnvelopeStatus>
    <TimeZone>Pacific Standard Time</TimeZone>
    <TimeZoneOffset>-8</TimeZoneOffset>
</DocuSignEnvelopeInformation>

"""#, 8542, 0x3C732C3117074061),
    ("legacy-xml-envelope-completed.ccla.easycla.xml", #"""
<?xml version="1.0" encoding="utf-8"?>
<DocuSignEnvelopeInformation xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                             xmlns="http://www.docusign.net/API/3.0">
    <EnvelopeStatus>
        <RecipientStatuses>
            <RecipientStatus>
                <Type>Signer</Type>
                <Email>example@example.org</Email>
                <UserName>Example Username</UserName>
                <RoutingOrder>1</RoutingOrder>
                <Sent>2020-12-17T07:43:56.203</Sent>
                <Delivered>2020-12-17T07:44:08.52</Delivered>
                <Signed>2020-12-17T07:44:30.673</Signed>
                <DeclineReason xsi:nil="true"/>
                <Status>Completed</Status>
                <RecipientIPAddress>108.168.239.94</RecipientIPAddress>
                <ClientUserId>74dd08c2-9c4b-41ee-b65f-cf243abf65e6</ClientUserId>
                <CustomFields/>
                <TabStatuses>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>304</XPosition>
                        <YPosition>170</YPosition>
                        <TabLabel>signatory_name</TabLabel>
                        <TabName>Signatory Name</TabName>
                        <TabValue>Example Signatory</TabValue>
                        <DocumentID>47977</DocumentID>
                        <PageNumber>3</PageNumber>
                        <OriginalValue>Example Signatory</OriginalValue>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>304</XPosition>
                        <YPosition>229</YPosition>
                        <TabLabel>signatory_email</TabLabel>
                        <TabName>Signatory E-mail</TabName>
                        <TabValue>example@example.org</TabValue>
                        <DocumentID>47977</DocumentID>
                        <PageNumber>3</PageNumber>
                        <OriginalValue>example@example.org</OriginalValue>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>320</XPosition>
                        <YPosition>343</YPosition>
                        <TabLabel>corporation_name</TabLabel>
                        <TabName>Corporation Name</TabName>
                        <TabValue>The Linux Foundation</TabValue>
                        <DocumentID>47977</DocumentID>
                        <PageNumber>3</PageNumber>
                        <OriginalValue>The Linux Foundation</OriginalValue>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>412</XPosition>
                        <YPosition>575</YPosition>
                        <TabLabel>cla_manager_name</TabLabel>
                        <TabName>Initial CLA Manager Name</TabName>
                        <TabValue>Example Signatory</TabValue>
                        <DocumentID>47977</DocumentID>
                        <PageNumber>3</PageNumber>
                        <OriginalValue>Example Signatory</OriginalValue>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>412</XPosition>
                        <YPosition>631</YPosition>
                        <TabLabel>cla_manager_email</TabLabel>
                        <TabName>Initial CLA Manager Email</TabName>
                        <TabValue>example@example.org</TabValue>
                        <DocumentID>47977</DocumentID>
                        <PageNumber>3</PageNumber>
                        <OriginalValue>example@example.org</OriginalValue>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>SignHere</TabType>
                        <Status>Signed</Status>
                        <XPosition>264</XPosition>
                        <YPosition>22</YPosition>
                        <TabLabel>sign</TabLabel>
                        <TabName>Please Sign</TabName>
                        <TabValue/>
                        <DocumentID>47977</DocumentID>
                        <PageNumber>3</PageNumber>
                    </TabStatus>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>304</XPosition>
                        <YPosition>285</YPosition>
                        <TabLabel>signatory_title</TabLabel>
                        <TabName>Signatory Title</TabName>
                        <TabValue>CEO</TabValue>
                        <DocumentID>47977</DocumentID>
                        <PageNumber>3</PageNumber>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>327</XPosition>
                        <YPosition>397</YPosition>
                        <TabLabel>corporation_address1</TabLabel>
                        <TabName>Corporation Address1</TabName>
                        <TabValue>113</TabValue>
                        <DocumentID>47977</DocumentID>
                        <PageNumber>3</PageNumber>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>116</XPosition>
                        <YPosition>452</YPosition>
                        <TabLabel>corporation_address2</TabLabel>
                        <TabName>Corporation Address2</TabName>
                        <TabValue>adsfasdf</TabValue>
                        <DocumentID>47977</DocumentID>
                        <PageNumber>3</PageNumber>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>Custom</TabType>
                        <Status>Signed</Status>
                        <XPosition>116</XPosition>
                        <YPosition>512</YPosition>
                        <TabLabel>corporation_address3</TabLabel>
                        <TabName>Corporation Address3</TabName>
                        <TabValue>asdfadf</TabValue>
                        <DocumentID>47977</DocumentID>
                        <PageNumber>3</PageNumber>
                        <CustomTabType>Text</CustomTabType>
                    </TabStatus>
                    <TabStatus>
                        <TabType>DateSigned</TabType>
                        <Status>Signed</Status>
                        <XPosition>735</XPosition>
                        <YPosition>110</YPosition>
                        <TabLabel>date</TabLabel>
                        <TabName>Date</TabName>
                        <TabValue>12/17/2020</TabValue>
                        <DocumentID>47977</DocumentID>
                        <PageNumber>3</PageNumber>
                    </TabStatus>
                </TabStatuses>
                <RecipientAttachment>
                    <Attachment>
                        <Data>redacted by example as it looks to be a base64 encoded string</Data>
                        <Label>DSXForm</Label>
                    </Attachment>
                </RecipientAttachment>
                <AccountStatus>Active</AccountStatus>
                <EsignAgreementInformation>
                    <AccountEsignId>f78e337a-a9c7-47e6-bc20-6f75a84706ba</AccountEsignId>
                    <UserEsignId>d8b49626-cf1d-41dc-bc3f-9478a57036ff</UserEsignId>
                    <AgreementDate>2020-12-17T07:44:08.503</AgreementDate>
                </EsignAgreementInformation>
                <FormData>
                    <xfdf>
                        <fields>
                            <field name="signatory_name">
                                <value>Example Signatory</value>
                            </field>
                            <field name="signatory_email">
                                <value>example@example.org</value>
                            </field>
                            <field name="corporation_name">
                                <value>The Linux Foundation</value>
                            </field>
                            <field name="cla_manager_name">
                                <value>Example Signatory</value>
                            </field>
                            <field name="cla_manager_email">
                                <value>example@example.org</value>
                            </field>
                            <field name="signatory_title">
                                <value>CEO</value>
                            </field>
                            <field name="corporation_address1">
                                <value>113</value>
                            </field>
                            <field name="corporation_address2">
                                <value>adsfasdf</value>
                            </field>
                            <field name="corporation_address3">
                                <value>asdfadf</value>
                            </field>
                            <field name="DateSigned">
                                <value>12/17/2020</value>
                            </field>
                        </fields>
                    </xfdf>
                </FormData>
                <RecipientId>dac1279d-7cc7-4a34-84ae-be0bff04af9b</RecipientId>
            </RecipientStatus>
        </RecipientStatuses>
        <TimeGenerated>2020-12-17T07:44:53.0177631</TimeGenerated>
        <EnvelopeID>c915984a-f761-4c28-ac2c-767253ba3362</EnvelopeID>
        <Subject>EasyCLA: CLA Signature Request for CommonTraceFormat</Subject>
        <UserName>Example Signatory</UserName>
        <Email>example@example.org</Email>
        <Status>Completed</Status>
        <Created>2020-12-17T07:43:55.687</Created>
        <Sent>2020-12-17T07:43:56.233</Sent>
        <Delivered>2020-12-17T07:44:08.707</Delivered>
        <Signed>2020-12-17T07:44:30.673</Signed>
        <Completed>2020-12-17T07:44:30.673</Completed>
        <ACStatus>Original</ACStatus>
        <ACStatusDate>2020-12-17T07:43:55.687</ACStatusDate>
        <ACHolder>Example Signatory</ACHolder>
        <ACHolderEmail>example@example.org</ACHolderEmail>
        <ACHolderLocation>DocuSign</ACHolderLocation>
        <SigningLocation>Online</SigningLocation>
        <SenderIPAddress>3.237.106.64</SenderIPAddress>
        <EnvelopePDFHash/>
        <CustomFields>
            <CustomField>
                <Name>AccountId</Name>
                <Show>false</Show>
                <Required>false</Required>
                <Value>10406522</Value>
                <CustomFieldType>Text</CustomFieldType>
            </CustomField>
            <CustomField>
                <Name>AccountName</Name>
                <Show>false</Show>
                <Required>false</Required>
                <Value>Linux Foundation</Value>
                <CustomFieldType>Text</CustomFieldType>
            </CustomField>
            <CustomField>
                <Name>AccountSite</Name>
                <Show>false</Show>
                <Required>false</Required>
                <Value>demo</Value>
                <CustomFieldType>Text</CustomFieldType>
            </CustomField>
        </CustomFields>
        <AutoNavigation>true</AutoNavigation>
        <EnvelopeIdStamping>true</EnvelopeIdStamping>
        <AuthoritativeCopy>false</AuthoritativeCopy>
        <DocumentStatuses>
            <DocumentStatus>
                <ID>47977</ID>
                <Name>Apache Style</Name>
                <TemplateName/>
                <Sequence>1</Sequence>
            </DocumentStatus>
        </DocumentStatuses>
    </EnvelopeStatus>
    <TimeZone>Pacific Standard Time</TimeZone>
    <TimeZoneOffset>-8</TimeZoneOffset>
</DocuSignEnvelopeInformation> 
    
"""#, 12895, 0x4C3AFD3A6A8BB2A3),
]
